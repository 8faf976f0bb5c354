"""Smart-Hải Dương core for Python: offline catalog and search, VNeID login, dossiers, payments,
appointments and sync (``docs/bindings.md``).

Everything is the UniFFI-generated module ``smarthd._ffi.smarthd`` (never edited by hand; the
library ``libsmarthd_ffi`` sits beside it), re-exported here. This file only adds readable
``repr``s: the generated records and enum variants print as ``FieldError()`` or
``<smarthd... object at 0x...>``; here they print their fields, as a dataclass would
(``FieldError(field='ho_ten', problem=FieldProblem.REQUIRED())``).
"""

from __future__ import annotations

import enum as _enum
import inspect as _inspect

from ._ffi import smarthd as _generated
from ._ffi.smarthd import *  # noqa: F401,F403  (the generated API; its __all__ lists it)

__all__ = list(_generated.__all__)
__version__: str = _generated.core_version()


def _field_names(cls: type) -> list[str] | None:
    """The fields of a generated record or enum variant: its constructor's parameters."""
    try:
        params = _inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return None
    return [name for name in params if name != "self"]


def _make_repr(name: str, fields: list[str]):
    def __repr__(self) -> str:
        return "{}({})".format(name, ", ".join(f"{field}={getattr(self, field, None)!r}" for field in fields))

    return __repr__


def _is_value_class(cls: type) -> bool:
    # Records and enum variants define __str__ themselves; objects (handles), errors and plain
    # enums do not, or have their own repr already.
    return (
        isinstance(cls, type)
        and "__str__" in vars(cls)
        and cls is not object
        and not issubclass(cls, (BaseException, _enum.Enum))
        and not hasattr(cls, "_uniffi_clone_handle")
        and not hasattr(cls, "_uniffi_clone_pointer")
    )


def _add_reprs() -> None:
    for public in __all__:
        cls = getattr(_generated, public, None)
        if not isinstance(cls, type) or issubclass(cls, BaseException):
            continue
        candidates = [(public, cls)]
        # A tagged enum's variants are nested classes (FieldProblem.REQUIRED...), each made a
        # subclass of the enum after the fact; their __str__ is on the first base.
        for attr, value in vars(cls).items():
            if isinstance(value, type) and value is not cls:
                base = next((b for b in value.__mro__[:-1] if "__str__" in vars(b)), None)
                if base is not None and base is not cls:
                    candidates.append((f"{public}.{attr}", base))
        for name, target in candidates:
            if not _is_value_class(target):
                continue
            fields = _field_names(target)
            if fields is not None:
                target.__repr__ = _make_repr(name, fields)  # type: ignore[method-assign]


_add_reprs()
