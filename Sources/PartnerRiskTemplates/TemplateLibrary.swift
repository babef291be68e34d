import Foundation
import Mustache
import PartnerRiskCore

/// The officer-editable Mustache templates in `Templates/`, loaded at start-up. A missing or
/// broken template is a clear error before anything is sent.
public struct TemplateLibrary: TemplateRendering {
    private let templates: [String: MustacheTemplate]
    public let directory: URL

    /// Loads every `*.mustache` under `directory`; `required` names (e.g. `mail/invitation.en.txt`)
    /// must all be present.
    public init(directory: URL, required: [String] = []) throws {
        self.directory = directory
        var templates: [String: MustacheTemplate] = [:]
        let root = directory.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw PartnerRiskError.failed("the templates folder \(root) does not exist; set PARTNER_RISK_HOME to the folder holding Templates/")
        }
        for case let path as String in enumerator where path.hasSuffix(".mustache") {
            let name = String(path.dropLast(".mustache".count))
            do {
                let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
                templates[name] = try MustacheTemplate(string: text)
            } catch {
                throw PartnerRiskError.failed("template \(root)/\(path) is broken: \(error); fix the Mustache tags ({{name}}, {{#section}}…{{/section}})")
            }
        }
        let missing = required.filter { templates[$0] == nil }
        if !missing.isEmpty {
            throw PartnerRiskError.failed("missing template(s) in \(root): \(missing.map { $0 + ".mustache" }.joined(separator: ", "))")
        }
        self.templates = templates
    }

    public func has(_ name: String) -> Bool { templates[name] != nil }

    /// Renders a template; values in `context` are HTML-escaped unless the template is TEXT.
    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard let template = templates[name] else {
            throw PartnerRiskError.failed("missing template \(directory.path)/\(name).mustache")
        }
        return template.render(context, library: MustacheLibrary(templates: templates))
    }
}
