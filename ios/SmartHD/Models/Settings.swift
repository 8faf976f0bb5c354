import Foundation
import SwiftUI

/// The app's languages: Vietnamese first, English beside it; switched in the app's settings.
/// `ContentView` puts `locale` in the environment, so every `Text`, `Label` and `Button` key
/// resolves in the chosen language (SwiftUI looks keys up in the environment's locale);
/// `text(_:_:)` is for strings made outside a view (notifications, announcements), where
/// `String(localized:)` would follow the phone's language instead.
enum AppLanguage: String, CaseIterable, Codable {
    case vi, en

    /// The phone's language if it is English, else Vietnamese (the province's language).
    static var phone: AppLanguage { Locale.current.language.languageCode?.identifier == "en" ? .en : .vi }

    var locale: Locale { Locale(identifier: rawValue) }

    /// The key's text from this language's Localizable.strings, formatted with `args`.
    func text(_ key: String, _ args: CVarArg...) -> String {
        let format = (Self.bundles[self] ?? .main).localizedString(forKey: key, value: nil, table: nil)
        return args.isEmpty ? format : String(format: format, locale: locale, arguments: args)
    }

    private static let bundles: [AppLanguage: Bundle] = Dictionary(uniqueKeysWithValues: allCases.compactMap { language in
        Bundle.main.path(forResource: language.rawValue, ofType: "lproj").flatMap(Bundle.init(path:)).map { (language, $0) }
    })
}

/// The text sizes the settings offer, as steps above the phone's own Dynamic Type size
/// (Android's 1.3x and 1.6x: from the default 17 pt, xxxLarge is 23 pt, accessibility1 28 pt).
enum TextSize: String, CaseIterable, Codable {
    case normal, large, largest

    var steps: Int {
        switch self {
        case .normal: 0
        case .large: 3
        case .largest: 4
        }
    }

    var label: LocalizedStringKey {
        switch self {
        case .normal: "text_normal"
        case .large: "text_large"
        case .largest: "text_largest"
        }
    }
}

/// The resident's choices: the language, the text size, and the simple screens for older
/// residents (larger text, a home of large buttons for the main tasks). Kept in UserDefaults.
struct AppSettings: Codable, Equatable {
    var language: AppLanguage
    var textSize: TextSize = .normal
    var simple = false

    /// The simple screens have large text at least.
    var textSteps: Int { simple ? max(textSize.steps, TextSize.large.steps) : textSize.steps }

    private static let key = "smarthd.settings"

    /// The saved choices, or the phone's language and the defaults on first launch.
    static func load(_ defaults: UserDefaults = .standard) -> AppSettings {
        defaults.data(forKey: key).flatMap { try? JSONDecoder().decode(AppSettings.self, from: $0) }
            ?? AppSettings(language: .phone)
    }

    func save(_ defaults: UserDefaults = .standard) {
        if let data = try? JSONEncoder().encode(self) { defaults.set(data, forKey: Self.key) }
    }
}

extension DynamicTypeSize {
    /// `steps` sizes larger, at most the largest accessibility size.
    func larger(by steps: Int) -> DynamicTypeSize {
        let sizes = DynamicTypeSize.allCases
        guard let at = sizes.firstIndex(of: self) else { return self }
        return sizes[min(at + steps, sizes.count - 1)]
    }
}
