package seatlockmemory

// Shows returns the number of shows m keeps state for.
func Shows(m *Locker) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.shows)
}
