// bigbin: a large Go binary (~30 MB), for the time from `gotl record` to
// main. It links in much of the standard library and, when built by
// `make bench`, a generated table of functions (pad_gen.go, written into a
// copy of this directory under .output, never into the tree) that pads the
// symbol table, pclntab and DWARF as a big real program would. At main
// entry it prints CLOCK_MONOTONIC, so the bench can compare it with the
// time it started gotl or the program itself, then exits.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/asn1"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"html/template"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/rpc"
	"net/smtp"
	"os"
	"regexp"
	"runtime/pprof"
	"syscall"
	"text/template/parse"
	"unsafe"
)

// pad is filled in by the generated pad_gen.go (if any).
var pad []func(int) int

// keep makes the linker keep what the imports bring in.
var keep = []interface{}{
	tar.NewReader, zip.NewReader, gzip.NewReader, ecdsa.GenerateKey, ed25519.GenerateKey,
	rsa.GenerateKey, tls.Dial, x509.ParseCertificate, sql.Open, asn1.Marshal, csv.NewReader,
	json.Marshal, xml.Marshal, ast.Inspect, format.Source, parser.ParseFile, token.NewFileSet,
	types.NewPackage, (*types.Config).Check, template.New, image.NewRGBA, gif.Decode, jpeg.Decode, png.Encode,
	slog.New, big.NewInt, http.ListenAndServe, httptest.NewServer, mail.ParseAddress,
	rpc.NewServer, smtp.Dial, regexp.MustCompile, pprof.StartCPUProfile, parse.Parse,
}

func main() {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ts)), 0)
	fmt.Printf("main_monotonic_ns %d\n", ts.Nano())
	if len(os.Args) > 1 { // never, under the bench: keeps keep and pad reachable
		fmt.Println(len(keep), len(pad), pad[0](1))
	}
}
