//go:build !gobincgo
// +build !gobincgo

package main

func extra() {}
