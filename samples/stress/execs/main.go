// execs starts other programs and finally replaces itself: it runs /bin/echo
// and a copy of itself (`execs child`, which exits 3) with os/exec from
// goroutines, then syscall.Exec's itself as `execs stage2` (a new Go
// runtime in the same process), which in turn execs /bin/sh to print the
// last lines — the truth line among them — and exit with status 7. Every
// line it prints is deterministic; it must not print pids, goids outside the
// truth line, or anything timing-dependent.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"

	"gotl/samples/internal/truth"
)

const stage2Goroutines = 50

func self() string {
	p, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return p
}

func child() {
	fmt.Println("child: hello from the copy")
	fmt.Fprintln(os.Stderr, "child: this goes to the parent's buffer")
	os.Exit(3)
}

func stage1() {
	var wg sync.WaitGroup
	lines := make([]string, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var out, errb bytes.Buffer
			var cmd *exec.Cmd
			if i%2 == 0 {
				cmd = exec.Command("/bin/echo", "echo", fmt.Sprint(i))
			} else {
				cmd = exec.Command(self(), "child")
			}
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			lines[i] = fmt.Sprintf("run %d: status %d, stdout %q, stderr %q", i, code,
				out.String(), errb.String())
		}(i)
	}
	wg.Wait()
	for _, l := range lines {
		fmt.Println(l)
	}
	// Straight to our own stdout, no pipes.
	cmd := exec.Command("/bin/echo", "stage1: echo with our stdout")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		panic(err)
	}
	fmt.Println("stage1: exec'ing stage2")
	os.Stdout.Sync()
	err := syscall.Exec(self(), []string{"execs", "stage2"}, append(os.Environ(),
		fmt.Sprintf("EXECS_STAGE1_GOID=%d", truth.Goid())))
	panic(err)
}

func stage2() {
	results := make(chan int, stage2Goroutines)
	for i := 0; i < stage2Goroutines; i++ {
		go func(i int) { results <- i * i }(i)
	}
	sq := make([]int, 0, stage2Goroutines)
	for i := 0; i < stage2Goroutines; i++ {
		sq = append(sq, <-results)
	}
	sort.Ints(sq)
	sum := 0
	for _, v := range sq {
		sum += v
	}
	fmt.Printf("stage2: %d goroutines, sum of squares %d\n", stage2Goroutines, sum)
	// The truth line is the last line of stdout, so /bin/sh prints it (it
	// is written like truth.Print writes it: encoding/json, sorted keys).
	b, err := json.Marshal(truth.Fields{
		"sample":      "execs",
		"main_goid":   truth.Goid(),
		"stage1_goid": os.Getenv("EXECS_STAGE1_GOID"),
		"children":    5,
		"stages":      2,
		"exit_status": 7,
	})
	if err != nil {
		panic(err)
	}
	env := append(os.Environ(), "EXECS_TRUTH=gotl-truth "+string(b))
	err = syscall.Exec("/bin/sh", []string{"sh", "-c",
		`echo "sh: replaced stage2"; echo "$EXECS_TRUTH"; exit 7`}, env)
	panic(err)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		child()
	}
	if len(os.Args) > 1 && os.Args[1] == "stage2" {
		stage2()
	}
	stage1()
}
