import API

/// The store's end of the one admission path: an object of a built-in kind is stored only if `Admission` admits
/// it, whoever writes it (the GitOps loop, `gitopsd apply`, a controller, the HTTP API).
enum StoreAdmission {
    /// - Throws: `StoreError` `.invalid` listing every problem as `field: message`, as an API server words it.
    static func check(_ object: Value, key: ObjectKey) throws(StoreError) {
        guard Admission.reviews(kind: key.kind) else { return }
        let review = Admission.review(object)
        guard !review.isAdmitted else { return }
        let problems = review.errors.map { problem in
            guard let field = problem.field, !field.isEmpty else { return problem.message }
            return "\(field): \(problem.message)"
        }
        throw StoreError(
            .invalid, "\(key.kind) \"\(key.name)\" is invalid: \(problems.joined(separator: "; "))", key: key)
    }
}
