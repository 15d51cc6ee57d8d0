package paymentmongo

// SetCrashAfterWrite makes UpdateSession stop right after writing the session, leaving its
// deliveries in the outbox, as if the process died there.
func SetCrashAfterWrite(s *SandboxStore, on bool) { s.crashAfterWrite = on }
