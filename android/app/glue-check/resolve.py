#!/usr/bin/env python3
"""The Android app's compile classpath, as Gradle would pick it, from Maven Central through Maven.

    resolve.py ANDROID_DIR OUT_DIR

Reads the libraries android/app and android/sdk declare (build.gradle.kts: implementation/api
libs.X) with their versions (gradle/libs.versions.toml, the Compose BOM for the unversioned
compose-* ones), walks their POMs and writes OUT_DIR/classpath.txt: one jar a line, each AAR's
classes.jar taken out to OUT_DIR/aar/ (kotlinc reads jars, not AARs).

Why not Maven's own resolution: androidx's Kotlin Multiplatform POMs name their siblings with
exact ranges ("[1.9.0]") of the root modules (type jar, but they are AARs), which Maven cannot
resolve; Gradle reads the richer module metadata instead. This walk does what Gradle's conflict
resolution does for these POMs: every module at the highest version anything asks for.
Maven (the ordinary client) downloads each POM and artifact into the local repository; a
second run reads them from there and runs Maven only for what is missing.
"""
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
import zipfile

# The Android framework as Robolectric publishes it: API 36 (Android 16), the app's compileSdk.
ANDROID_ALL = ("org.robolectric", "android-all", "16-robolectric-13921718")

def local_repository():
    """Maven's local repository: settings.xml's <localRepository>, else ~/.m2/repository."""
    settings = os.path.join(os.path.expanduser("~"), ".m2", "settings.xml")
    if os.path.isfile(settings):
        found = re.search(r"<localRepository>\s*(.*?)\s*</localRepository>", open(settings).read())
        if found:
            return os.path.expanduser(found.group(1))
    return os.path.join(os.path.expanduser("~"), ".m2", "repository")


# SMARTHD_MAVEN_REPO: another local repository (a fresh one, to try this as on a new machine).
M2 = os.environ.get("SMARTHD_MAVEN_REPO") or local_repository()
NS = "{http://maven.apache.org/POM/4.0.0}"


def version_key(version):
    """1.10.2 > 1.9.4 > 1.9.4-rc01 > 1.9.4-beta02 > 1.9.4-alpha01."""
    base, _, pre = version.partition("-")
    nums = [int(n) if n.isdigit() else 0 for n in re.split(r"[.]", base)]
    rank = 3
    for i, tag in enumerate(("alpha", "beta", "rc")):
        if pre.startswith(tag):
            rank = i
    tail = int(re.sub(r"\D", "", pre) or 0) if rank < 3 else 0
    return nums + [0] * (4 - len(nums)), rank, tail


def pom_path(group, artifact, version):
    return os.path.join(M2, *group.split("."), artifact, version, f"{artifact}-{version}.pom")


def read_pom(group, artifact, version):
    """(packaging, [(group, artifact, version)]) of a POM in the local repository."""
    root = ET.parse(pom_path(group, artifact, version)).getroot()
    packaging = (root.findtext(f"{NS}packaging") or "jar").strip()
    deps = []
    for dep in root.findall(f"{NS}dependencies/{NS}dependency"):
        scope = (dep.findtext(f"{NS}scope") or "compile").strip()
        if scope not in ("compile", "runtime") or (dep.findtext(f"{NS}optional") or "").strip() == "true":
            continue
        g, a = dep.findtext(f"{NS}groupId").strip(), dep.findtext(f"{NS}artifactId").strip()
        v = (dep.findtext(f"{NS}version") or "").strip().replace("${project.version}", version)
        v = v.strip("[]").split(",")[0]  # "[1.9.4]": exactly that one
        if not v or "$" in v:
            continue
        deps.append((g, a, v))
    return packaging, deps


def fetch(coordinates):
    """Downloads POMs or artifacts ("g:a:v:type") in one Maven run: a throwaway POM naming them
    all, each without its dependencies (this walk picks those). Answers the ones not found."""
    if not coordinates:
        return set()
    entries = []
    for coordinate in sorted(coordinates):
        g, a, v, t = coordinate.split(":")
        entries.append(
            f"<dependency><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version><type>{t}</type>"
            "<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>"
        )
    pom = (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>local</groupId><artifactId>glue-check-fetch</artifactId><version>0</version><packaging>pom</packaging>"
        f"<dependencies>{''.join(entries)}</dependencies></project>"
    )
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "pom.xml"), "w") as out:
            out.write(pom)
        run = subprocess.run(
            ["mvn", "-B", "-ntp", "-q", "-U", f"-Dmaven.repo.local={M2}", "-f", os.path.join(folder, "pom.xml"), "dependency:resolve"],
            capture_output=True, text=True,
        )
        if run.returncode == 0:
            return set()
        # Maven stops at the first it cannot find: try each alone.
        return {c for c in sorted(coordinates) if subprocess.run(
            ["mvn", "-B", "-ntp", "-q", "-U", f"-Dmaven.repo.local={M2}", "dependency:get", "-Dtransitive=false", f"-Dartifact={c}"],
            capture_output=True, cwd=folder).returncode != 0}


def declared(android_dir):
    """The roots: what app and sdk declare, with libs.versions.toml's versions."""
    with open(os.path.join(android_dir, "gradle", "libs.versions.toml"), "rb") as f:
        catalog = tomllib.load(f)
    versions, libraries = catalog["versions"], catalog["libraries"]

    def coordinates(alias):
        entry = libraries[alias]
        group, artifact = entry["module"].split(":")
        version = entry.get("version")  # none for the BOM's libraries
        if isinstance(version, dict):
            version = versions[version["ref"]]
        return group, artifact, version

    aliases = []
    for module in ("app", "sdk"):
        text = open(os.path.join(android_dir, module, "build.gradle.kts")).read()
        block = text[text.index("\ndependencies {"):]
        for line in block.splitlines():
            # debugImplementation (ui-tooling) is not on the main compile classpath.
            match = re.match(r"\s*(implementation|api)\((.*)\)\s*$", line)
            if match:
                aliases += [name.replace(".", "-") for name in re.findall(r"libs\.([\w.]+?)(?:\.get\(\))?(?=[)}]|$)", match.group(2))]
    bom = None
    roots = []
    for alias in dict.fromkeys(aliases):
        group, artifact, version = coordinates(alias)
        if artifact == "compose-bom":
            bom = (group, artifact, version)
        else:
            roots.append((group, artifact, version))
    managed = {}
    if bom:
        if fetch({":".join(bom) + ":pom"}):
            sys.exit(f"Maven could not fetch the BOM {':'.join(bom)}")
        tree = ET.parse(pom_path(*bom)).getroot()
        for dep in tree.findall(f"{NS}dependencyManagement/{NS}dependencies/{NS}dependency"):
            managed[(dep.findtext(f"{NS}groupId"), dep.findtext(f"{NS}artifactId"))] = dep.findtext(f"{NS}version")
        roots = [(g, a, v or managed[(g, a)]) for g, a, v in roots]
    # The Kotlin Gradle plugin adds the standard library of its own version.
    roots.append(("org.jetbrains.kotlin", "kotlin-stdlib", versions["kotlin"]))
    return roots + [ANDROID_ALL], managed


def write_r_classes(aars, out_dir):
    """Each AAR's R class, as the Android Gradle plugin generates them for an app, from its R.txt.

    Their code reads resource ids from R at run time, and AAR classes.jar files hold no R: the
    JVM tests (Robolectric) need them. One id per resource type and name across all libraries,
    in the app's package space (0x7f), as in a non-namespaced app. No resource table goes with
    them (aapt2 is not on Maven Central): library-values.properties holds the libraries' default
    strings and booleans by id instead (res/values), for the tests to answer lookups from.
    """
    type_ids, ids, values = {}, {}, {}

    def resource_id(kind, name):
        if (kind, name) not in ids:
            type_id = type_ids.setdefault(kind, len(type_ids) + 1)
            ids[(kind, name)] = 0x7F000000 | type_id << 16 | sum(1 for k, _ in ids if k == kind)
        return ids[(kind, name)]

    for path in aars:
        with zipfile.ZipFile(path) as aar:
            if "R.txt" not in aar.namelist():
                continue
            package = re.search(r'package="([^"]+)"', aar.read("AndroidManifest.xml").decode()).group(1)
            fields = {}
            for line in aar.read("R.txt").decode().splitlines():
                parts = line.split(" ", 3)
                if len(parts) < 4:
                    continue
                java_type, kind, name, value = parts
                if java_type == "int[]":
                    size = len([v for v in value.strip("{} ").split(",") if v.strip()])
                    fields.setdefault(kind, []).append(f"public static int[] {name} = new int[{size}];")
                elif kind == "styleable":  # an index into its styleable's array, not an id
                    fields.setdefault(kind, []).append(f"public static int {name} = {value};")
                else:
                    fields.setdefault(kind, []).append(f"public static int {name} = {resource_id(kind, name)};")
            for name in aar.namelist():
                if name.startswith("res/values/") and name.endswith(".xml"):
                    for element in ET.fromstring(aar.read(name)):
                        if element.tag in ("string", "bool") and element.get("name"):
                            text = "".join(element.itertext()).strip()
                            values[resource_id(element.tag, element.get("name"))] = re.sub(r"\\(['\"@?])", r"\1", text)
        folder = os.path.join(out_dir, *package.split("."))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "R.java"), "w") as out:
            out.write(f"package {package};\n\npublic final class R {{\n")
            for kind, lines in fields.items():
                out.write(f"    public static final class {kind} {{\n" + "".join(f"        {l}\n" for l in lines) + "    }\n")
            out.write("}\n")
    # Java properties, UTF-8 (read with a UTF-8 reader): key = the resource id.
    with open(os.path.join(out_dir, "library-values.properties"), "w", encoding="utf-8") as out:
        for resource, value in sorted(values.items()):
            out.write(f"{resource}=" + value.replace("\\", "\\\\").replace("\n", "\\n") + "\n")


def main():
    android_dir, out_dir = sys.argv[1], sys.argv[2]
    roots, managed = declared(android_dir)
    picked, unfound = {}, set()
    for _ in range(30):
        missing = {f"{g}:{a}:{v}:pom" for g, a, v in roots if not os.path.isfile(pom_path(g, a, v))}
        unfound |= fetch(missing)
        # Walk from the roots with the versions picked so far; every edge votes for a version.
        wanted = {(g, a): v for g, a, v in roots}
        seen, queue, unread = set(), [(g, a) for g, a, _ in roots], set()
        while queue:
            key = queue.pop()
            if key in seen:
                continue
            seen.add(key)
            version = picked.get(key, wanted[key])
            if not os.path.isfile(pom_path(*key, version)):
                unread.add(f"{key[0]}:{key[1]}:{version}:pom")
                continue
            for g, a, v in read_pom(*key, version)[1]:
                # The BOM is a platform: it raises its modules to its versions, as in Gradle.
                if (g, a) in managed and version_key(managed[(g, a)]) > version_key(v):
                    v = managed[(g, a)]
                if (g, a) not in wanted or version_key(v) > version_key(wanted[(g, a)]):
                    wanted[(g, a)] = v
                queue.append((g, a))
        changed = wanted != picked
        picked = wanted
        if not changed and not unread - unfound:
            break
        unfound |= fetch(unread - unfound)
    else:
        sys.exit("the versions did not settle")

    lacking = sorted(c for c in unfound if tuple(c.split(":")[:2]) in picked and picked[tuple(c.split(":")[:2])] == c.split(":")[2])
    if lacking:
        sys.exit("Maven Central (or its mirror) lacks " + ", ".join(lacking) + ": pick versions it has in android/gradle/libs.versions.toml")
    artifacts = []
    for (g, a), v in sorted(picked.items()):
        packaging = read_pom(g, a, v)[0]
        if (g, a) == ("org.jetbrains.kotlin", "kotlin-stdlib-common"):
            continue  # metadata only, part of kotlin-stdlib since Kotlin 1.9 (Gradle drops it too)
        if packaging in ("jar", "aar", "bundle"):
            kind = "aar" if packaging == "aar" else "jar"
            artifacts.append((g, a, v, kind))
    lacking = fetch({f"{g}:{a}:{v}:{k}" for g, a, v, k in artifacts if not os.path.isfile(pom_path(g, a, v)[:-3] + k)})
    if lacking:
        sys.exit("Maven could not fetch " + ", ".join(sorted(lacking)))
    os.makedirs(os.path.join(out_dir, "aar"), exist_ok=True)
    write_r_classes([pom_path(g, a, v)[:-3] + k for g, a, v, k in artifacts if k == "aar"], os.path.join(out_dir, "r"))
    jars = []
    for g, a, v, k in artifacts:
        path = pom_path(g, a, v)[:-3] + k
        if k == "aar":
            jar = os.path.join(out_dir, "aar", f"{g}.{a}-{v}.jar")
            if not os.path.isfile(jar):
                with zipfile.ZipFile(path) as aar:
                    if "classes.jar" not in aar.namelist():
                        continue  # resources only
                    with open(jar + ".part", "wb") as out:
                        out.write(aar.read("classes.jar"))
                os.replace(jar + ".part", jar)
            path = jar
        jars.append(path)
    with open(os.path.join(out_dir, "classpath.txt"), "w") as out:
        out.write("\n".join(jars) + "\n")
    print(f"{len(artifacts)} artifacts", file=sys.stderr)


if __name__ == "__main__":
    main()
