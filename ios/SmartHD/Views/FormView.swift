import PhotosUI
import SmartHDCore
import SwiftUI

/// The dossier form generated from the schema, checked as the resident types; photos; submit.
struct FormView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var form: FormModel
    @State private var photo: PhotosPickerItem?
    @State private var camera = false

    init(app: AppModel, procedureCode: String) { _form = StateObject(wrappedValue: FormModel(app: app, procedureCode: procedureCode)) }
    /// A kept draft, or a dossier the portal refused, to correct and submit again.
    init(app: AppModel, dossierId: String) { _form = StateObject(wrappedValue: FormModel(app: app, dossierId: dossierId)) }

    var body: some View {
        Form {
            Section(form.procedureName) {
                ForEach(form.inputs) { input in field(input) }
            }
            Section("attachments") {
                ForEach(form.attachments, id: \.sha256) { a in Label(a.name, systemImage: "paperclip") }
                PhotosPicker("attach_photo", selection: $photo, matching: .images)
                if UIImagePickerController.isSourceTypeAvailable(.camera) { Button("attach_camera") { camera = true } }
            }
            Section {
                if let error = form.error { Text(error).foregroundStyle(.red) }
                switch form.submission {
                case .editing, .refused:
                    // A dossier the portal refused is the resident's to correct and send again.
                    if case let .refused(reason) = form.submission {
                        Text("refused \(pickLanguage(reason, english: app.english))").foregroundStyle(.red)
                    }
                    // Submitting needs VNeID level 2: a level-1 session is told so and steps up
                    // here, rather than queueing a dossier the portal will not take.
                    if case let .loggedIn(_, _, level) = app.login, level >= 2 {
                        Button(LocalizedStringKey(form.submission == .editing ? "submit" : "submit_again")) { form.submit() }
                            .disabled(form.inputs.contains { $0.error != nil })
                    } else {
                        if case .loggedIn = app.login { Text("needs_level2") }
                        Button("login_level2") { Task { await app.logIn(level: 2) } }
                    }
                case .submitting: Text("submitting")
                case .queued: Text("queued")
                case .sent(let code): Text("sent \(code ?? "")")
                }
            }
        }
        .onChange(of: photo) { item in
            guard let item else { return }
            photo = nil // the same picture may be picked again
            Task {
                // PhotosPicker hands over the original bytes, often HEIC: re-encoded as JPEG.
                let data = try? await item.loadTransferable(type: Data.self)
                form.attach(file: data.flatMap { AttachmentFiles.jpeg($0, prefix: "form") })
            }
        }
        .sheet(isPresented: $camera) {
            CameraPicker { data in form.attach(file: AttachmentFiles.jpeg(data, prefix: "camera")) }
        }
    }

    @ViewBuilder
    private func field(_ input: FormModel.Input) -> some View {
        let label = form.label(input.field) + (input.field.required ? " (\(app.language.text("required")))" : "")
        VStack(alignment: .leading) {
            switch input.field.kind {
            case .checkbox:
                Toggle(label, isOn: Binding(get: { input.value == "true" }, set: { form.set(input.id, $0 ? "true" : "false") }))
            case .select:
                Picker(label, selection: Binding(get: { input.value }, set: { form.set(input.id, $0) })) {
                    Text("—").tag("")
                    ForEach(input.field.options, id: \.value) { o in Text(app.english ? o.labelEn ?? o.label : o.label).tag(o.value) }
                }
            default:
                TextField(label, text: Binding(get: { input.value }, set: { form.set(input.id, $0) }), axis: input.field.kind == .textarea ? .vertical : .horizontal)
                    .keyboardType(input.field.kind == .phone ? .phonePad : input.field.kind == .email ? .emailAddress :
                                  (input.field.kind == .cccd || input.field.kind == .number) ? .numberPad : .default)
            }
            if let error = input.error {
                Text(error).font(.footnote).foregroundStyle(.red)
            }
        }
        .accessibilityElement(children: .contain)
        .accessibilityHint(input.error ?? "")
    }

}

/// The camera, for a photo of a paper document.
struct CameraPicker: UIViewControllerRepresentable {
    let onPhoto: (Data) -> Void
    @Environment(\.dismiss) private var dismiss

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = .camera
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}
    func makeCoordinator() -> Coordinator { Coordinator(self) }

    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let parent: CameraPicker
        init(_ parent: CameraPicker) { self.parent = parent }

        func imagePickerController(_ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            if let data = (info[.originalImage] as? UIImage)?.jpegData(compressionQuality: 0.8) { parent.onPhoto(data) }
            parent.dismiss()
        }
    }
}
