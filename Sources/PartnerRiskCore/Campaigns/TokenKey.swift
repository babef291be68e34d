import Crypto
import Foundation

/// The secret from which each invitation's link token is derived, so every mail of one
/// invitation (invitation, reminders, retries) carries the same link while the database still
/// stores only the token's SHA-256: token = HMAC-SHA256(key, invitation id and generation). A new
/// generation (`invitations reissue`) gives a new token; the old one is revoked. The key lives in
/// its own file, readable by its owner only (a copy of the database alone yields no link).
public struct TokenKey: Sendable {
    /// The key's bytes (a `SymmetricKey` is made per use: it is not `Sendable`).
    let bytes: Data

    public init(bytes: Data) {
        self.bytes = bytes
    }

    /// Reads the key file, creating it (32 random bytes, mode 0600) when missing; refuses a key
    /// file that others can read.
    public static func load(_ url: URL) throws -> TokenKey {
        let path = url.path
        if !FileManager.default.fileExists(atPath: path) {
            let bytes = InvitationToken.generate().value
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw PartnerRiskError.failed("cannot create the link key \(path); check the folder's permissions")
            }
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777) & 0o077 != 0 {
            throw PartnerRiskError.badInput("the link key \(path) can be read by others; run `chmod 600 \(path)`")
        }
        let data = try Data(contentsOf: url)
        guard data.count >= 32 else { throw PartnerRiskError.badInput("the link key \(path) is damaged (shorter than 32 bytes)") }
        return TokenKey(bytes: data)
    }

    /// The link token of an invitation's generation: 256 bits, base64url.
    public func token(invitationID: Int64, generation: Int) -> InvitationToken {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("partner-risk-link/\(invitationID)/\(generation)".utf8), using: SymmetricKey(data: bytes))
        return InvitationToken(value: InvitationToken.base64url(Data(mac)))
    }
}
