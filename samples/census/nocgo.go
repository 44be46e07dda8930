//go:build !(cgo && gotlcgo)

package main

func cgo() {}
