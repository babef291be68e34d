import Foundation

/// The sentences of an explanation, in both languages (the officer reads one, chosen by
/// `officer.language`, whatever the partner's). Each names the question, the answer given (as
/// the form showed it), the rule and the points.
public enum FactorText {
    /// Why a question lost credit.
    enum LossReason: Hashable {
        /// The answer itself earns less than full credit.
        case answer
        /// Required evidence is missing (or was rejected): at most the configured credit.
        case evidence
        /// A certificate the question relies on expired on this day.
        case expired(role: String, day: String)
        /// The officer found the question's evidence falsified.
        case falsified
    }

    static func knockout(_ question: Question, answer: LocalizedText) -> LocalizedText {
        LocalizedText(en: "Knock-out: \(question.id) “\(question.text.en)” answered \(answer.en)",
                      fr: "Critère éliminatoire : \(question.id) « \(question.text.fr) », réponse \(answer.fr)")
    }

    static func sanctionsHit(_ hit: ScreeningHit) -> LocalizedText {
        let score = String(format: "%.2f", hit.score)
        return LocalizedText(
            en: "Knock-out: sanctions list hit confirmed by \(hit.decidedBy ?? "the officer"): \(hit.screenedAs) “\(hit.screenedName)” is \(hit.list) entry \(hit.entryKey) “\(hit.matchedName)” (\(hit.program), similarity \(score))",
            fr: "Critère éliminatoire : correspondance sur une liste de sanctions confirmée par \(hit.decidedBy ?? "l'agent") : « \(hit.screenedName) » est l'inscription \(hit.entryKey) de \(hit.list) « \(hit.matchedName) » (\(hit.program), similarité \(score))")
    }

    static func falsified(_ question: Question, reason: String) -> LocalizedText {
        LocalizedText(en: "Knock-out: the evidence for \(question.id) “\(question.text.en)” was found falsified by the officer: \(reason)",
                      fr: "Critère éliminatoire : la pièce justificative de \(question.id) « \(question.text.fr) » a été jugée falsifiée par l'agent : \(reason)")
    }

    static func loss(_ question: Question, answer: LocalizedText, reason: LossReason, tenths: Int, maxCredit: Double) -> LocalizedText {
        let points = "−" + shown(tenths) + " pts"
        let (category, rule) = (question.category, level(question))
        let head = (en: "\(points) \(category.rawValue): \(question.id) “\(question.text.en)”",
                    fr: "\(points) \(category.rawValue) : \(question.id) « \(question.text.fr) »")
        switch reason {
        case .answer:
            return LocalizedText(en: "\(head.en) answered \(answer.en) (\(rule.en))", fr: "\(head.fr), réponse \(answer.fr) (\(rule.fr))")
        case .evidence:
            let credit = Int((maxCredit * 100).rounded())
            return LocalizedText(
                en: "\(head.en) answered \(answer.en), but the required evidence is missing or was rejected: at most \(credit) % credit",
                fr: "\(head.fr), réponse \(answer.fr), mais la pièce justificative exigée manque ou a été rejetée : au plus \(credit) % des points")
        case .expired(let role, let day):
            let what = certificate(role)
            return LocalizedText(en: "\(head.en) answered \(answer.en), but gets no credit: \(what.en) expired on \(day)",
                                 fr: "\(head.fr), réponse \(answer.fr), mais ne reçoit aucun point : \(what.fr) expiré le \(day)")
        case .falsified:
            return LocalizedText(en: "\(head.en) gets no credit: its evidence was found falsified",
                                 fr: "\(head.fr) ne reçoit aucun point : sa pièce justificative a été jugée falsifiée")
        }
    }

    /// A category whose control score a must (or knock-out) question without credit capped.
    static func cap(_ category: Category, by questions: [(Question, LocalizedText)], cap: Double, tenths: Int) -> LocalizedText {
        withPoints(tenths, capReason(category, by: questions, cap: cap))
    }

    /// The cap's sentence after its points (the same for every partner capped by the same answers).
    static func capReason(_ category: Category, by questions: [(Question, LocalizedText)], cap: Double) -> LocalizedText {
        let en = questions.map { "\($0.0.id) “\($0.0.text.en)” \($0.1.en == "" ? "" : "answered \($0.1.en) ")(\(level($0.0).en))" }
        let fr = questions.map { "\($0.0.id) « \($0.0.text.fr) » \($0.1.fr == "" ? "" : "réponse \($0.1.fr) ")(\(level($0.0).fr))" }
        let limit = cap.formatted()
        return LocalizedText(en: "\(category.rawValue) capped at \(limit): \(en.joined(separator: "; ")) earned no credit",
                             fr: "\(category.rawValue) plafonné à \(limit) : \(fr.joined(separator: "; ")) sans aucun point")
    }

    /// `text` after "−1.7 pts ".
    static func withPoints(_ tenths: Int, _ text: LocalizedText) -> LocalizedText {
        let points = "−" + shown(tenths) + " pts "
        return LocalizedText(en: points + text.en, fr: points + text.fr)
    }

    static func flag(_ rule: RedFlagRule, partnerExplanation: String?, accepted: FlagAcceptance?) -> LocalizedText {
        let head = LocalizedText(en: "Red flag \(rule.name.en)", fr: "Signal d'alerte « \(rule.name.fr) »")
        var en = head.en, fr = head.fr
        if let accepted {
            en += " (explanation accepted by \(accepted.actor) on \(accepted.at.prefix(10))\(accepted.note.isEmpty ? "" : ": \(accepted.note)"))"
            fr += " (explication acceptée par \(accepted.actor) le \(accepted.at.prefix(10))\(accepted.note.isEmpty ? "" : " : \(accepted.note)"))"
        } else if partnerExplanation != nil {
            en += rule.knockout ? " (explained by the partner; a knock-out until the officer accepts the explanation)" : " (explained by the partner, not yet accepted by the officer)"
            fr += rule.knockout ? " (expliqué par le partenaire; critère éliminatoire tant que l'agent n'a pas accepté l'explication)" : " (expliqué par le partenaire, pas encore accepté par l'agent)"
        } else if rule.knockout {
            en += " (unexplained: knock-out)"
            fr += " (sans explication : critère éliminatoire)"
        }
        en += ": \(rule.explanation.en)"
        fr += " : \(rule.explanation.fr)"
        if let partnerExplanation {
            en += " The partner's explanation: “\(partnerExplanation)”"
            fr += " Explication du partenaire : « \(partnerExplanation) »"
        }
        return LocalizedText(en: en, fr: fr)
    }

    static func country(name: String, code: String, list: String, date: String, multiplier: Double?, floor: RiskTier?, knockout: Bool) -> LocalizedText {
        let floorText = floor.map { (en: ": at least \($0.label)", fr: " : au moins \(tierFR($0))") } ?? (en: "", fr: "")
        if knockout {
            return LocalizedText(en: "Knock-out: \(name) (\(code)) is on the \(list) list of \(date)",
                                 fr: "Critère éliminatoire : \(name) (\(code)) figure sur la liste \(list) du \(date)")
        }
        let factor = (multiplier ?? 1).formatted()
        return LocalizedText(en: "Country risk ×\(factor): \(name) (\(code)) is on the FATF \(list) list of \(date)\(floorText.en)",
                             fr: "Risque pays ×\(factor) : \(name) (\(code)) figure sur la liste \(list) du GAFI du \(date)\(floorText.fr)")
    }

    /// Why a membership waives nothing.
    enum MembershipIssue {
        case declaredOnly, notRecognised, noExpiry, expired(String)
    }

    static func membership(_ program: String, _ issue: MembershipIssue) -> LocalizedText {
        switch issue {
        case .declaredOnly:
            return LocalizedText(en: "Trusted trader: \(program) membership declared by the partner, not verified by the officer: no evidence waived",
                                 fr: "Négociant digne de confiance : adhésion \(program) déclarée par le partenaire, non vérifiée par l'agent : aucune pièce dispensée")
        case .notRecognised:
            return LocalizedText(en: "Trusted trader: \(program) is not a program recognised by PIP: no evidence waived",
                                 fr: "Négociant digne de confiance : \(program) n'est pas un programme reconnu par le PEP : aucune pièce dispensée")
        case .noExpiry:
            return LocalizedText(en: "Trusted trader: \(program) membership verified without an expiry date: no evidence waived",
                                 fr: "Négociant digne de confiance : adhésion \(program) vérifiée sans date d'expiration : aucune pièce dispensée")
        case .expired(let day):
            return LocalizedText(en: "Trusted trader: \(program) membership expired on \(day): no evidence waived",
                                 fr: "Négociant digne de confiance : adhésion \(program) expirée le \(day) : aucune pièce dispensée")
        }
    }

    /// An answer as the officer reads it: labels of choices, yes/no words, quoted text.
    static func answer(_ question: Question, _ value: JSONValue?) -> LocalizedText {
        guard let value else { return LocalizedText(en: "(unanswered)", fr: "(sans réponse)") }
        func quoted(_ text: String) -> LocalizedText {
            let short = text.count > 80 ? String(text.prefix(79)) + "…" : text
            return LocalizedText(en: "“\(short)”", fr: "« \(short) »")
        }
        switch (question.type, value) {
        case (.yesNo, .string(let word)), (.yesNoPartial, .string(let word)):
            let fr = ["yes": "oui", "no": "non", "partial": "en partie"][word] ?? word
            return LocalizedText(en: "“\(word)”", fr: "« \(fr) »")
        case (.singleChoice, .string(let id)):
            return question.option(id).map { LocalizedText(en: "“\($0.label.en)”", fr: "« \($0.label.fr) »") } ?? quoted(id)
        case (.multiChoice, .array(let items)):
            let labels = items.compactMap(\.stringValue).map { id in question.option(id)?.label ?? LocalizedText(en: id, fr: id) }
            return LocalizedText(en: "“\(labels.map(\.en).joined(separator: ", "))”", fr: "« \(labels.map(\.fr).joined(separator: ", ")) »")
        case (_, .string(let text)): return quoted(text)
        case (_, .array(let items)): return quoted(items.map { $0.stringValue ?? $0.rendered() }.joined(separator: ", "))
        default: return quoted(value.rendered())
        }
    }

    /// An answer as a report shows it: option labels, yes/no words, the text itself, and "not
    /// applicable" with its reason.
    public static func label(_ question: Question, _ answer: Answer, _ language: Language) -> String {
        switch answer {
        case .notApplicable(let reason): return (language == .fr ? "Sans objet : " : "Not applicable: ") + reason
        case .value(let value):
            switch (question.type, value) {
            case (.text, .string(let text)), (.date, .string(let text)): return text
            case (.number, .number(let number)): return number.formatted() + (question.unit.map { " " + $0.text(language) } ?? "")
            case (.countryList, .array(let items)): return items.compactMap(\.stringValue).joined(separator: ", ")
            default:
                let shown = FactorText.answer(question, value).text(language)
                let quotes: Set<Character> = ["“", "”", "«", "»", " "]
                return String(shown.drop { quotes.contains($0) }.reversed().drop { quotes.contains($0) }.reversed())
            }
        }
    }

    /// What a kind of factor is called in a report.
    public static func kindLabel(_ kind: ScoreFactor.Kind, _ language: Language) -> String {
        let labels: [ScoreFactor.Kind: (String, String)] = [
            .knockout: ("Knock-out", "Éliminatoire"), .redFlag: ("Red flag", "Signal d'alerte"), .country: ("Country", "Pays"),
            .membership: ("Trusted trader", "Négociant fiable"), .loss: ("Answer", "Réponse"), .evidence: ("Missing evidence", "Pièce manquante"),
            .expired: ("Expired", "Expiré"), .cap: ("Cap", "Plafond"),
        ]
        let label = labels[kind] ?? (kind.rawValue, kind.rawValue)
        return language == .fr ? label.1 : label.0
    }

    static func certificate(_ role: String) -> (en: String, fr: String) {
        role == "trusted_trader.expiry" ? ("the trusted-trader membership", "l'adhésion au programme de négociants dignes de confiance")
            : ("the seal certificate", "le certificat des scellés")
    }

    static func level(_ question: Question) -> (en: String, fr: String) {
        let weight = question.weight ?? 1
        switch question.level {
        case .knockout?: return ("knock-out, weight \(weight)", "éliminatoire, poids \(weight)")
        case .must?: return ("must, weight \(weight)", "obligatoire, poids \(weight)")
        default: return ("should, weight \(weight)", "recommandé, poids \(weight)")
        }
    }

    static func tierFR(_ tier: RiskTier) -> String {
        switch tier {
        case .low: return "Faible"
        case .medium: return "Moyen"
        case .high: return "Élevé"
        case .critical: return "Critique"
        }
    }

    /// Tenths of a point as shown: `17` → `1.7`.
    static func shown(_ tenths: Int) -> String { (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)" }
}
