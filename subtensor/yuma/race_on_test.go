//go:build race

package yuma

// raceEnabled: the race detector slows the differential test ~10x, so it
// runs fewer random subnets (the full count runs without -race).
const raceEnabled = true
