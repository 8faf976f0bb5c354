import CryptoKit
import Foundation
import SmartHDCore

/// The DPoP key: a P-256 key made in the Secure Enclave (never leaves it). Its opaque handle is
/// kept in the Keychain through [KeychainStorage]. `publicKey()` is 0x04 || x || y and `sign` the
/// raw r || s (64 bytes) JOSE wants. Simulators without a Secure Enclave get a software key.
final class SecureEnclaveSigner: Signer, @unchecked Sendable {
    private let storage: KeychainStorage
    private let handleKey = "dpop.secure-enclave-key"
    private var cached: Key?
    private let lock = NSLock()

    init(storage: KeychainStorage) { self.storage = storage }

    func publicKey() throws -> Data { try currentKey().publicKey.x963Representation }

    func sign(message: Data) throws -> Data {
        switch try currentKey() {
        case .enclave(let k): return try k.signature(for: message).rawRepresentation
        case .software(let k): return try k.signature(for: message).rawRepresentation
        }
    }

    private enum Key {
        case enclave(SecureEnclave.P256.Signing.PrivateKey)
        case software(P256.Signing.PrivateKey)
        var publicKey: P256.Signing.PublicKey {
            switch self {
            case .enclave(let k): return k.publicKey
            case .software(let k): return k.publicKey
            }
        }
    }

    /// The stored key, or a new one only when none is stored. A read that fails (the Keychain
    /// locked before the first unlock) throws: creating a key then would overwrite the one the
    /// portal bound the session to.
    private func currentKey() throws -> Key {
        lock.lock()
        defer { lock.unlock() }
        if let key = cached { return key }
        let key = try load() ?? create()
        cached = key
        return key
    }

    private func load() throws -> Key? {
        guard let data = try storage.get(key: handleKey) else { return nil }
        if SecureEnclave.isAvailable { return .enclave(try SecureEnclave.P256.Signing.PrivateKey(dataRepresentation: data)) }
        return .software(try P256.Signing.PrivateKey(rawRepresentation: data))
    }

    private func create() -> Key {
        if SecureEnclave.isAvailable, let k = try? SecureEnclave.P256.Signing.PrivateKey() {
            try? storage.put(key: handleKey, value: k.dataRepresentation)
            return .enclave(k)
        }
        let k = P256.Signing.PrivateKey()
        try? storage.put(key: handleKey, value: k.rawRepresentation)
        return .software(k)
    }
}
