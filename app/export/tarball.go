package export

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// Version is builder-web's version as tarballs name it.
const Version = "0.1.0"

// tarballComment is the pax global header comment of every all.tar.gz
// (reference §6.6).
const tarballComment = "Tar file produced by builder-web." + Version

// CheckTarball checks every file of arts in the store, so that a missing
// or truncated artifact is an error before a status is sent rather than a
// broken archive.
func CheckTarball(st *store.Store, arts []db.BuildArtifact) error {
	for _, a := range arts {
		fi, err := os.Stat(st.ArtifactPath(a.SHA256))
		if err != nil {
			return fmt.Errorf("%s: %w", a.Filepath, err)
		}
		if fi.Size() != a.Size {
			return fmt.Errorf("%s has %d bytes, the database says %d", a.Filepath, fi.Size(), a.Size)
		}
	}
	return nil
}

// WriteTarball writes the all.tar.gz of a build (reference §6.6): arts in
// database order, read from st, every time mtime. Call CheckTarball first.
func WriteTarball(w io.Writer, st *store.Store, arts []db.BuildArtifact, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = mtime
	tw := tar.NewWriter(gz)
	// Go's writer takes nothing but the records for a global header.
	err = tw.WriteHeader(&tar.Header{
		Typeflag:   tar.TypeXGlobalHeader,
		PAXRecords: map[string]string{"comment": tarballComment},
	})
	if err != nil {
		return fmt.Errorf("global header: %w", err)
	}
	for _, a := range arts {
		mode := int64(0o644)
		if strings.HasPrefix(a.Filepath, "bin/") {
			mode = 0o755
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     a.Filepath,
			Size:     a.Size,
			Mode:     mode,
			ModTime:  mtime,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", a.Filepath, err)
		}
		if err := copyArtifact(tw, st, a); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// copyArtifact writes exactly a.Size bytes of an artifact's content; a file
// that shrank since the check makes the tar writer fail on the next header
// rather than write a broken entry.
func copyArtifact(w io.Writer, st *store.Store, a db.BuildArtifact) error {
	f, err := st.OpenArtifact(a.SHA256)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Filepath, err)
	}
	defer f.Close()
	if _, err := io.Copy(w, io.LimitReader(f, a.Size)); err != nil {
		return fmt.Errorf("%s: %w", a.Filepath, err)
	}
	return nil
}
