import Foundation
import Security
import SmartHDCore

/// The core's secure storage: generic-password items in the Keychain, this device only, readable
/// after the first unlock (background sync needs them while the phone is locked).
final class KeychainStorage: SecureStorage, @unchecked Sendable {
    private let service = "vn.gov.haiduong.smarthd.core"

    func get(key: String) throws -> Data? {
        var query = base(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess else { throw SmartHdError.Storage(detail: "keychain read \(status)") }
        return item as? Data
    }

    func put(key: String, value: Data) throws {
        let update: [String: Any] = [kSecValueData as String: value]
        var status = SecItemUpdate(base(key) as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            var add = base(key)
            add[kSecValueData as String] = value
            add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw SmartHdError.Storage(detail: "keychain write \(status)") }
    }

    func delete(key: String) throws {
        let status = SecItemDelete(base(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw SmartHdError.Storage(detail: "keychain delete \(status)")
        }
    }

    private func base(_ key: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service, kSecAttrAccount as String: key]
    }
}
