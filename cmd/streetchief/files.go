package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// writeFile writes path through a temporary file beside it, renamed into place only once write has
// succeeded, so that a failed export never leaves half a file behind. The file is created 0644 (less
// the umask), as any file a user writes: os.CreateTemp's 0600 would keep an export from the
// colleague or web server it was written for.
//
// A path that names something other than a regular file (/dev/null, /dev/stdout, a named pipe) is
// written in place: renaming over it would replace the device with a plain file.
func writeFile(path string, write func(io.Writer) error) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return writeInPlace(path, write)
	}
	dir, base := dirOf(path), filepath.Base(path)
	var f *os.File
	for tries := 0; ; tries++ {
		var err error
		f, err = os.OpenFile(filepath.Join(dir, fmt.Sprintf(".%s.%08x.tmp", base, rand.Uint32())), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || tries == 100 {
			return err
		}
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func writeInPlace(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func dirOf(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i+1]
	}
	return "."
}
