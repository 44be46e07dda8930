//go:build go1.18

package main

// genWait is generic: Go prints its instances as "main.genWait[...]".
func genWait[T any](c chan T) T {
	parked()
	return <-c
}

func generic(never chan int) {
	ready.Add(1)
	go genWait(never)
}
