import Foundation

/// Renders the officer-editable templates in `Templates/` (mail, offline answer file, reports).
/// Core composes the values; the templates module renders them with Mustache.
public protocol TemplateRendering: Sendable {
    /// Whether a template of this name (`mail/invitation.en.txt`, without `.mustache`) exists.
    func has(_ name: String) -> Bool
    /// Renders a template; values are HTML-escaped unless the template declares itself TEXT.
    func render(_ name: String, _ context: [String: Any]) throws -> String
}
