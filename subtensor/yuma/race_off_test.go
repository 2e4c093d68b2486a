//go:build !race

package yuma

const raceEnabled = false
