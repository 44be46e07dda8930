//go:build go1.23

// coro demonstrates iter.Pull (Go 1.23+): the iterator body runs on its
// own goroutine, which the runtime switches to and from as a coroutine
// each time main calls next, instead of scheduling it normally.
package main

import (
	"fmt"
	"iter"

	"gotl/samples/internal/truth"
)

const values = 10

func main() {
	var coroGoid uint64
	count := func(yield func(int) bool) {
		coroGoid = truth.Goid() // runs on the coroutine's goroutine
		for i := 1; i <= values; i++ {
			if !yield(i) {
				return
			}
		}
	}

	next, stop := iter.Pull(iter.Seq[int](count))
	defer stop()
	n, sum := 0, 0
	for {
		v, ok := next()
		if !ok {
			break
		}
		n++
		sum += v
	}

	fmt.Println("pulled", n, "values, sum", sum)
	truth.Print(truth.Fields{
		"sample":    "coro",
		"main_goid": truth.Goid(),
		"coro_goid": coroGoid,
		"values":    n,
		"sum":       sum,
	})
}
