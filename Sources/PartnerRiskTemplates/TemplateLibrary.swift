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
        ScalarHTMLEscape.register()
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
                // HTML (the default) escapes through `ScalarHTMLEscape`; a template may still say TEXT.
                templates[name] = try MustacheTemplate(string: text.contains("{{% CONTENT_TYPE") ? text : ScalarHTMLEscape.pragma + text)
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

/// HTML escaping by Unicode scalar. swift-mustache's own HTML escape compares whole `Character`s,
/// so a `"` followed by a combining mark (one Character, `"\u{301}`) was not escaped and could
/// close an attribute. Registered with swift-mustache under its own content-type name (the
/// library keeps content types in a process-wide table: its API, not ours), and named by a
/// pragma put before every template that does not choose its content type.
public enum ScalarHTMLEscape: MustacheContentType {
    case instance

    static let name = "PARTNER_RISK_HTML"
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"

    static func register() { MustacheContentTypes.register(instance, named: name) }

    public func escapeText(_ text: String) -> String { Self.escape(text) }

    /// `<`, `>`, `&`, `"` and `'` as entities, by Unicode scalar (also for HTML made outside a template).
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "&": output += "&amp;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
