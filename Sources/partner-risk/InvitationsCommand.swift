import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct InvitationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invitations",
        abstract: "Personal links: revoke an invitation's link, or give it a new one.",
        discussion: """
            Every mail of an invitation (invitation, reminders, retries) carries the same personal link. A link also \
            dies by itself when its partner is deactivated or their email changes, and when its campaign closes \
            (after link_grace_days, 30 by default, during which it shows that the campaign is closed).
            """,
        subcommands: [InvitationsRevokeCommand.self, InvitationsReissueCommand.self])
}

struct InvitationsRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke the personal link of an invitation, or of every invitation of a partner; the link then gets the neutral page.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The invitation's id (see `responses list` or `campaign status`).", valueName: "invitation"))
    var invitation: Int64?

    @Option(help: ArgumentHelp("Revoke every link of this partner (id, email or external id) instead.", valueName: "partner"))
    var partner: String?

    func validate() throws {
        guard (invitation == nil) != (partner == nil) else { throw ValidationError("give an invitation id or --partner, not both") }
    }

    func run() throws {
        let app = try global.environment()
        let store = app.repositories
        let partnerID = try partner.map { try PartnerRegistry(repository: store).find($0).id }
        let count = try store.revokeTokens(invitationIDs: invitation.map { [$0] } ?? [], partnerID: partnerID,
                                           reason: "revoked by the officer", at: app.time.now())
        say("revoked \(count) link(s)")
    }
}

struct InvitationsReissueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reissue",
        abstract: "Give an invitation a new personal link: the old one dies, and a new invitation mail is queued (sent by `campaign send`).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The invitation's id.", valueName: "invitation"))
    var invitation: Int64

    func run() throws {
        let app = try global.environment()
        let store = app.repositories
        let context = try store.invitationContext(invitationID: invitation)
        let generation = try store.reissueToken(invitationID: invitation, queueInvitation: true, at: app.time.now())
        say("invitation \(invitation) (\(context.partner.name)): new link (generation \(generation)), the old one is revoked; "
            + "a new invitation is queued: run `partner-risk campaign send \(context.campaign.id)`")
    }
}
