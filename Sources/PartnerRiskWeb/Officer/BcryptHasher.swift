import HummingbirdBcrypt
import PartnerRiskCore

/// Officer passwords hashed with bcrypt (hummingbird-auth's `Bcrypt`): salted, `cost` rounds
/// (2^cost iterations; 12 by default, about a quarter of a second here).
public struct BcryptHasher: PasswordHasher {
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    public func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }
}
