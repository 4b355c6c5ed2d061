//go:build !race

package hftipc

const raceEnabled = false
