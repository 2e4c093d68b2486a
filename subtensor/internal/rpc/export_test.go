package rpc

// PendingCount reports how many calls await a response (test hook).
func (c *Client) PendingCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}
