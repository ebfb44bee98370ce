package merchants

// FailAfterHandOff makes every repeat-offender hand-off fail after the incident was filed and before
// its links are written, until the returned function is called.
func FailAfterHandOff(err error) (restore func()) {
	faultAfterHandOff = func() error { return err }
	return func() { faultAfterHandOff = nil }
}
