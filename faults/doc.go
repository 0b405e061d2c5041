// Package faults holds tokentray's fault suite (`make faults`, build tag faults): the real binary
// run against the built-in fake Spotify with injected faults, a real Secret Service on a private
// bus, and a small pathological token server for answers the fake will not give. It writes
// docs/RELIABILITY.md from what it measured. The package has no code outside its tests.
package faults
