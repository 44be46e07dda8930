//go:build !go1.18

package main

func generic(never chan int) {}
