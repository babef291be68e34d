import Foundation

/// Text from outside (partner names, file names, attachment names, survey ids in a file) made
/// safe to print to the officer's terminal: C0 and C1 control characters, DEL and the bidirectional
/// overrides are shown as escapes (`\x1B`, `\u{202E}`), so a crafted value cannot move the cursor,
/// recolour the screen or reorder what the officer reads.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        // Printable ASCII throughout (the common case): nothing to do.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                output.append(contentsOf: (scalar.value <= 0xFF ? "\\x" + (hex.count == 1 ? "0" + hex : hex) : "\\u{\(hex)}").unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// A whole text of several lines: each line escaped, the line breaks kept.
    public static func escapedLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }.joined(separator: "\n")
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true           // C0, DEL, C1
        case 0x202A...0x202E, 0x2066...0x2069: return true   // bidirectional embeddings, overrides, isolates
        default: return false
        }
    }
}
