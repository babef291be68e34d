import Foundation
import PartnerRiskCore
import PartnerRiskMail

/// Plays the partners for the demo: reads the invitations in the mail drop, and for most
/// partners fills in the attached offline answer file the way a real partner might (some
/// strong, some weak on seals, some raising money-laundering red flags, some not answering),
/// deterministically from a seed. Writes answer files exactly as the offline form saves them.
public struct DemoResponder {
    enum Profile: String, CaseIterable { case strong, average, weakSeals = "weak-seals", moneyFlags = "money-flags", silent }

    public let catalog: SurveyCatalog
    public let seed: UInt64
    public let today: Date

    public init(catalog: SurveyCatalog, seed: UInt64, today: Date) {
        self.catalog = catalog
        self.seed = seed
        self.today = today
    }

    /// Writes one answer file per answering partner into `output`; returns (written, silent).
    public func respond(outbox: URL, output: URL) throws -> (written: Int, silent: Int) {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var written = 0, silent = 0
        let messages = try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "eml" }.sorted { $0.path < $1.path }
        var surveys: [String: Survey] = [:]  // parsed once, not once per message
        for message in messages {
            guard let form = try formData(in: message) else { continue }
            let partnerID = Int(form["partner_id"]?.numberValue ?? 0)
            var random = DemoRandom(seed: seed &+ UInt64(partnerID) &* 7919)
            let profile = pickProfile(&random)
            if profile == .silent { silent += 1; continue }
            guard let surveyID = form["survey_id"]?.stringValue, let sectorName = form["sector"]?.stringValue,
                  let sector = Sector(rawValue: sectorName) else { continue }
            let survey = try surveys[surveyID] ?? catalog.survey(id: surveyID)
            surveys[surveyID] = survey
            var generated = generate(survey, sector: sector, profile: profile, random: &random)
            let home = form["partner_country"]?.stringValue ?? "CA"
            for question in survey.questions where question.role?.hasPrefix("countries.") == true {
                if question.role == "countries.transit" {
                    generated[question.id] = profile == .moneyFlags ? .value(.array([.string("AE"), .string("PA")]))
                        : (question.allowNA ? .notApplicable(reason: "Direct shipments only") : .value(.array([.string(home)])))
                } else {
                    generated[question.id] = .value(.array([.string(home)]))
                }
            }
            let answers = survey.effectiveAnswers(for: sector, answers: generated)
            let answersJSON = answers.json
            let file: JSONValue = .object([
                "format": "partner-risk-answers/1", "token": form["token"] ?? .null, "survey_id": .string(survey.id),
                "survey_version": .string(survey.version), "campaign_id": form["campaign_id"] ?? .null, "partner_id": form["partner_id"] ?? .null,
                "saved_at": .string(DayFormat.timestamp(today)), "answers": answersJSON,
                "checksum": .string("sha256:" + CanonicalJSON.sha256(answersJSON)),
            ])
            let name = "answers-\(Int(form["campaign_id"]?.numberValue ?? 0))-\(partnerID).json"
            try Data(file.rendered(pretty: true).utf8).write(to: output.appendingPathComponent(name))
            written += 1
        }
        return (written, silent)
    }

    func formData(in message: URL) throws -> [String: JSONValue]? {
        let document = MIMEReader.message(try Data(contentsOf: message))
        guard let html = document.parts.first(where: { $0.fileName?.hasSuffix(".html") == true })?.text,
              let start = html.range(of: "id=\"form-data\">"), let end = html.range(of: "</script>", range: start.upperBound..<html.endIndex) else { return nil }
        return JSONValue.parse(String(html[start.upperBound..<end.lowerBound]))?.objectValue
    }

    func pickProfile(_ random: inout DemoRandom) -> Profile {
        let roll = random.unit()
        switch roll {
        case ..<0.35: return .strong
        case ..<0.62: return .average
        case ..<0.77: return .weakSeals
        case ..<0.88: return .moneyFlags
        default: return .silent
        }
    }

    func generate(_ survey: Survey, sector: Sector, profile: Profile, random: inout DemoRandom) -> AnswerSet {
        var answers = AnswerSet()
        for question in survey.questions(for: sector) {
            var goodChance: Double = [.strong: 0.97, .average: 0.8, .weakSeals: 0.85, .moneyFlags: 0.8][profile] ?? 0.8
            if question.level == .knockout { goodChance = [.strong: 1, .average: 0.99, .weakSeals: 0.98, .moneyFlags: 0.97][profile] ?? 1 }
            if profile == .weakSeals && question.category == .seals { goodChance = 0.15 }
            // Names to screen: written without a draw, so the other answers stay those of each seed.
            if let role = question.role, role.hasPrefix("screening.") {
                answers[question.id] = .value(.string(role == "screening.banks" ? "Royal Bank of Canada\nBanco Nacional de Comercio Exterior" : "Marie-Claude Tremblay\nHolding Tremblay inc."))
                continue
            }
            if question.allowNA && random.unit() < 0.04 {
                answers[question.id] = .notApplicable(reason: "Not part of our operations")
                continue
            }
            let good = random.unit() < goodChance
            if let value = value(for: question, good: good, profile: profile, random: &random) { answers[question.id] = .value(value) }
        }
        if profile == .moneyFlags {
            for rule in survey.questions.flatMap(\.redFlags) where rule.kind == "money" {
                if case .equals(let id, let bad) = rule.when { answers[id] = .value(.string(bad)) }
                for id in rule.unless?.questionIDs ?? [] { answers[id] = nil }
            }
        }
        return answers
    }

    func value(for question: Question, good: Bool, profile: Profile, random: inout DemoRandom) -> JSONValue? {
        if question.role?.hasPrefix("trigger.") == true, question.type == .yesNo {
            return .string(random.unit() < 0.1 ? "yes" : "no")
        }
        switch question.type {
        case .yesNo: return .string(good ? "yes" : "no")
        case .yesNoPartial: return .string(good ? "yes" : (random.unit() < 0.5 ? "partial" : "no"))
        case .singleChoice:
            let sorted = question.options.sorted { ($0.credit ?? 0) > ($1.credit ?? 0) }
            if question.role == "trusted_trader.program" { return .string(good && random.unit() < 0.4 ? "ctpat" : "none") }
            return .string((good ? sorted.first : sorted.last)?.id ?? question.options[0].id)
        case .multiChoice:
            if question.option("none") != nil { return .array([.string(good || random.unit() < 0.7 ? "none" : (question.options.last?.id ?? "none"))]) }
            return .array([.string(question.options[random.index(question.options.count)].id)])
        case .number:
            let candidates: [Double] = [0, 1, 4, 8, 12, 24, 30, 45, 60, 72, 90, 120, 365].filter {
                $0 >= (question.min ?? 0) && $0 <= (question.max ?? 100_000)
            }
            guard !question.bands.isEmpty else { return .number(candidates[random.index(candidates.count)]) }
            let credit = { (value: Double) in question.bands.first { $0.holds(value) }?.credit ?? 1 }
            let target = good ? candidates.map(credit).max() : candidates.map(credit).min()
            let matching = candidates.filter { credit($0) == target }
            return .number(matching[random.index(matching.count)])
        case .date:
            let days = good ? Double(20 + random.index(200)) : Double(420 + random.index(300))
            if question.role == "trusted_trader.expiry" || question.role == "seal.certificate_expiry" {
                return .string(DayFormat.day(today.addingTimeInterval((good ? 1 : -1) * days * 86_400)))
            }
            return .string(DayFormat.day(today.addingTimeInterval(-days * 86_400)))
        case .text: return .string(question.required ? "See our procedures manual, section \(1 + random.index(9))." : "")
        case .evidence: return .string("procedure-\(question.id.lowercased()).pdf")
        case .countryList: return nil
        }
    }
}

/// A tiny deterministic random source for the demo (the same seed gives the same answers).
struct DemoRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E3779B97F4A7C15 }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func index(_ count: Int) -> Int { Int(next() % UInt64(max(1, count))) }
}
