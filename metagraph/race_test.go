//go:build race

package metagraph

const raceEnabled = true
