"""HTTP edge: one router per resource. Parse, authorise, call one use case, answer."""
