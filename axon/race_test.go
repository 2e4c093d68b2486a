//go:build race

package axon_test

const raceEnabled = true
