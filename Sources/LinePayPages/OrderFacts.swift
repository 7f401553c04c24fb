/// Facts the admin page and `linepay show` print beside the amounts: until when LINE Pay holds an authorization,
/// who processed the payment (v4), and a regKey LINE Pay issued that we never saw.
public enum OrderFacts {
    /// (label, value) lines; `authorized` is whether the order is an authorization now.
    public static func lines(authorized: Bool, authorizationExpiresAt: Int64?, paymentProvider: String?, regKeyUnknown: Bool,
                             now: Int64) -> [(String, String)] {
        var facts: [(String, String)] = []
        if authorized, let expires = authorizationExpiresAt {
            let days = (expires - now) / 86400
            let left = expires <= now ? "expired, checking with LINE Pay"
                : days >= 2 ? "expires in \(days) days" : days == 1 ? "expires in 1 day" : "expires today"
            facts.append(("Authorization expires (UTC)", "\(utcText(expires)) (\(left))"))
        }
        if let p = paymentProvider { facts.append(("Payment provider", p)) }
        if regKeyUnknown {
            facts.append(("RegKey", "unknown: the confirm was settled from payment details, which never shows the regKey; "
                          + "ask LINE Pay's merchant center for it"))
        }
        return facts
    }
}
