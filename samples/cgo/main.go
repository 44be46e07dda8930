// cgo calls into C from three goroutines (while a goroutine is in C the
// runtime counts it as in a system call), then starts a C thread that calls
// back into Go three times: the runtime runs each callback on an "extra" M
// with a goroutine of its own, which exists only while the callback runs.
package main

/*
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

extern void goCallback(int);

// Stay in C for us microseconds, even if signals (Go's preemption signal,
// SIGURG) interrupt the sleep.
static void slow_c(int us) {
	struct timespec left = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&left, &left) == -1 && errno == EINTR)
		;
}

static void *callback_thread(void *arg) {
	int i;

	for (i = 0; i < 3; i++) {
		goCallback(i);
		usleep(1000);
	}
	return 0;
}

static void run_callback_thread(void) {
	pthread_t t;

	pthread_create(&t, 0, callback_thread, 0);
	pthread_join(t, 0);
}
*/
import "C"

import (
	"sync"

	"gotl/samples/internal/truth"
)

const callUS = 5000 // how long each goroutine stays in C

var callbackGoids truth.IDs

//export goCallback
func goCallback(i C.int) {
	callbackGoids.Add(truth.Goid())
}

func main() {
	var wg sync.WaitGroup
	var callers truth.IDs
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			callers.Add(truth.Goid())
			C.slow_c(callUS)
		}()
	}
	wg.Wait()
	C.run_callback_thread() // main is in C while the thread calls back

	distinct := []uint64{}
	for _, id := range callbackGoids.List() {
		if len(distinct) == 0 || distinct[len(distinct)-1] != id {
			distinct = append(distinct, id)
		}
	}
	truth.Print(truth.Fields{
		"sample":         "cgo",
		"main_goid":      truth.Goid(),
		"callers":        callers.List(),
		"call_us":        callUS,
		"callbacks":      len(callbackGoids.List()),
		"callback_goids": distinct,
	})
}
