/// One thing wrong in a survey or scoring file, reported as `FILE:LINE:COLUMN: what — how to fix`.
public struct SurveyProblem: Sendable, Equatable, CustomStringConvertible, Error {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var fix: String

    public init(file: String, line: Int, column: Int, message: String, fix: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(file):\(line):\(column): \(message) — \(fix)" }
}

/// A survey file that cannot be used, with every problem found.
public struct InvalidSurveyFile: Error, CustomStringConvertible {
    public var problems: [SurveyProblem]

    public init(problems: [SurveyProblem]) {
        self.problems = problems
    }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
