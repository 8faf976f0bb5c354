import UIKit
import UniformTypeIdentifiers

/// Files handed to the core, which takes JPEG, PNG and PDF only and sniffs the content: a photo
/// from PhotosPicker is often HEIC, so it is re-encoded as JPEG here, never passed on as is.
/// The files land in the temporary directory; the core keeps its own sealed copy, so the caller
/// removes them once attached.
enum AttachmentFiles {
    /// A picture UIImage decodes (HEIC, JPEG, PNG...) as a JPEG file; nil if it is none.
    static func jpeg(_ data: Data, prefix: String = "photo") -> URL? {
        guard let jpeg = UIImage(data: data)?.jpegData(compressionQuality: 0.9) else { return nil }
        return write(jpeg, prefix: prefix, extension: "jpg")
    }

    /// A file picked in the Files app (security-scoped, readable only while accessed) copied
    /// where the core can read it: a PDF, JPEG or PNG as it is, any other picture as JPEG.
    static func imported(_ url: URL) -> URL? {
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        guard let data = try? Data(contentsOf: url) else { return nil }
        if let type = UTType(filenameExtension: url.pathExtension),
           let kept = [UTType.pdf, .jpeg, .png].first(where: { type.conforms(to: $0) }) {
            return write(data, prefix: "document", extension: kept.preferredFilenameExtension ?? url.pathExtension)
        }
        return jpeg(data, prefix: "document")
    }

    static func remove(_ file: URL) { try? FileManager.default.removeItem(at: file) }

    private static func write(_ data: Data, prefix: String, extension ext: String) -> URL? {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString).\(ext)")
        do {
            try data.write(to: url)
            return url
        } catch {
            return nil
        }
    }
}
