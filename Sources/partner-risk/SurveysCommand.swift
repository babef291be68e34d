import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct SurveysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surveys",
        abstract: "Questionnaires: check a survey file, list the available surveys, show one as a partner sees it.",
        subcommands: [SurveysValidateCommand.self, SurveysListCommand.self, SurveysShowCommand.self])
}

struct SurveysValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check survey, scoring and country-list YAML files against every rule of the format.",
        discussion: "Each problem is printed as FILE:LINE:COLUMN: what is wrong — how to fix it. Exit code 2 if any file has a problem. The format is described in Surveys/README.md.")

    @Argument(help: ArgumentHelp("The YAML files to check.", valueName: "file"))
    var files: [String]

    func run() throws {
        let results = SurveyCatalog.validate(files: files)
        var total = 0
        for file in files {
            let problems = results[file] ?? []
            total += problems.count
            problems.forEach { say("\($0)") }
            if problems.isEmpty { print("\(file): ok") }
        }
        if total > 0 {
            throw PartnerRiskError.badInput("\(total) problem(s) found")
        }
    }
}

struct SurveysListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the surveys in the Surveys/ folder and the versions already used by campaigns.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let app = try global.environment()
        let surveys = try app.catalog.surveys()
        let stored = try app.repositories.storedSurveys()
        let listing = SurveyListing.make(surveys: surveys, stored: stored)
        print(listing.render(format))
    }
}

struct SurveysShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a survey's outline, as a partner of a given sector would see it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The survey id, e.g. pip-partner-security.", valueName: "id"))
    var id: String

    @Option(help: "Language of the text: en or fr.")
    var lang: Language = .en

    @Option(help: ArgumentHelp("Show only the questions asked of this sector.", valueName: "sector"))
    var sector: Sector?

    func run() throws {
        let survey = try SurveyCatalog(directory: global.workspace.surveysDirectory).survey(id: id)
        say(SurveyOutline(survey: survey, language: lang, sector: sector).render())
    }
}
