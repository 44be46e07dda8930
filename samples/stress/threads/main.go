// threads makes the runtime change its number of OS threads while traced:
// 32 goroutines block at once in raw read(2)s on pipes (no netpoller), so
// the runtime starts a thread for each; 20 goroutines lock their threads
// (runtime.LockOSThread), wait together, and exit still locked, so the
// runtime kills those threads (but the main thread, if one of them got
// it); debug.SetMaxThreads lowers the limit (still
// above what it needs); runtime.GOMAXPROCS changes twice. It prints only
// what does not depend on scheduling: counts, and whether every locked
// thread is gone afterwards. It must not print tids, thread counts or goids
// outside the truth line.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"gotl/samples/internal/truth"
)

const (
	readers = 32
	lockers = 20
)

// threadCount is the Threads: line of /proc/self/status.
func threadCount() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		panic(err)
	}
	var n int
	for _, l := range splitLines(string(b)) {
		if len(l) > 8 && l[:8] == "Threads:" {
			n, _ = strconv.Atoi(trim(l[8:]))
		}
	}
	return n
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

func trim(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

func taskExists(tid int) bool {
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(tid))
	return err == nil
}

// blockingReads has n goroutines each block in a raw read on its own pipe
// until main writes a byte to every pipe; returns the bytes read.
func blockingReads(n int) (int, int) {
	fds := make([][2]int, n)
	for i := range fds {
		if err := syscall.Pipe(fds[i][:]); err != nil {
			panic(err)
		}
	}
	var wg sync.WaitGroup
	got := make([]byte, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var b [1]byte
			if _, err := syscall.Read(fds[i][0], b[:]); err != nil {
				panic(err)
			}
			got[i] = b[0]
		}(i)
	}
	// Wait until all n are in the kernel: one thread each.
	before := threadCount()
	for deadline := time.Now().Add(5 * time.Second); threadCount() < n && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	grew := threadCount()
	for i := 0; i < n; i++ {
		syscall.Write(fds[i][1], []byte{byte(i)})
	}
	wg.Wait()
	sum := 0
	for i := range got {
		sum += int(got[i])
		syscall.Close(fds[i][0])
		syscall.Close(fds[i][1])
	}
	_ = before
	return sum, grew
}

type locked struct {
	goid uint64
	tid  int
}

func lockedExits(n int) ([]locked, bool) {
	out := make([]locked, n)
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i := 0; i < n; i++ {
		ready.Add(1)
		done.Add(1)
		go func(i int) {
			runtime.LockOSThread()
			out[i] = locked{truth.Goid(), syscall.Gettid()}
			ready.Done()
			<-release
			done.Done()
			// Returns without UnlockOSThread: the runtime exits the thread.
		}(i)
	}
	ready.Wait()
	close(release)
	done.Wait()
	gone := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		gone = true
		for _, l := range out {
			// The main thread never exits: a goroutine that exits
			// locked to it wedges it instead.
			if l.tid != os.Getpid() && taskExists(l.tid) {
				gone = false
			}
		}
		if gone {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return out, gone
}

func main() {
	prevMax := debug.SetMaxThreads(500)
	procs := runtime.GOMAXPROCS(2)
	sum, grew := blockingReads(readers)
	fmt.Printf("threads: max threads was %d, now 500\n", prevMax)
	fmt.Printf("reads: %d goroutines blocked in read(2) at once: %v, bytes sum %d\n",
		readers, grew >= readers, sum)
	runtime.GOMAXPROCS(procs)
	ls, gone := lockedExits(lockers)
	fmt.Printf("locked: %d goroutines exited locked, their threads gone: %v\n", lockers, gone)
	sum2, _ := blockingReads(readers)
	fmt.Printf("reads again: bytes sum %d\n", sum2)
	goids := make([]uint64, len(ls))
	tids := map[string]int{}
	for i, l := range ls {
		goids[i] = l.goid
		tids[strconv.FormatUint(l.goid, 10)] = l.tid
	}
	truth.Print(truth.Fields{
		"sample":        "threads",
		"main_goid":     truth.Goid(),
		"locked_goids":  goids,
		"locked_tids":   tids,
		"readers":       readers,
		"threads_grown": grew >= readers,
		"locked_gone":   gone,
	})
}
