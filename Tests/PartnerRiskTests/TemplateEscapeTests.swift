import Foundation
import Testing
@testable import PartnerRiskTemplates

/// Every value a template shows is HTML-escaped per Unicode scalar.
@Suite struct TemplateEscapeTests {
    @Test func aQuoteFollowedByACombiningMarkCannotLeaveAnAttribute() throws {
        let directory = TemporaryDirectory()
        let folder = directory.url.appendingPathComponent("web")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try #"<a title="{{name}}">{{name}}</a>"#.write(to: folder.appendingPathComponent("page.html.mustache"), atomically: true, encoding: .utf8)
        try "{{% CONTENT_TYPE: TEXT}}Subject: {{name}}".write(to: folder.appendingPathComponent("subject.mustache"), atomically: true, encoding: .utf8)
        let library = try TemplateLibrary(directory: directory.url)
        let hostile = "x\"\u{301} onmouseover=alert(1) '\u{301}<\u{338}b>&"
        let html = try library.render("web/page.html", ["name": hostile])
        #expect(html == "<a title=\"x&quot;\u{301} onmouseover=alert(1) &#39;\u{301}&lt;\u{338}b&gt;&amp;\">x&quot;\u{301} onmouseover=alert(1) &#39;\u{301}&lt;\u{338}b&gt;&amp;</a>")
        // Exactly two quotes are left: the attribute's own.
        #expect(html.unicodeScalars.filter { $0 == "\"" }.count == 2)
        // A template that says TEXT is not escaped.
        #expect(try library.render("web/subject", ["name": "A & B"]) == "Subject: A & B")
    }
}
