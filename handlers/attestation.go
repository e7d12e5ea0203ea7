package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/attest"
	"github.com/builder-web/builder-web/app/httperr"
)

// The media type of an attestation. Plain JSON rather than a DSSE media
// type: the envelope is JSON, browsers show it, and in-toto and DSSE tools
// read files whatever they were served as. The body is one line (the
// .intoto.jsonl form).
const attestationType = fiber.MIMEApplicationJSON

// PublicKeys is GET /.well-known/builder-web/keys.json: every public key the
// server signed attestations with, the current one last.
func (h *Handler) PublicKeys(c *fiber.Ctx) error {
	setSandbox(c, downloadPolicy)
	return c.JSON(h.Signer.Set())
}

// Attestation is GET /job/:job/build/:build/attestation: the build's SLSA
// provenance as an in-toto statement in a DSSE envelope signed with the
// server key. Failed builds are not attested.
func (h *Handler) Attestation(c *fiber.Ctx) error {
	jsonErrors(c)
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	s, err := attest.ProvenanceOf(c.UserContext(), h.DB, h.Store, b)
	if errors.Is(err, attest.ErrNotAttested) {
		return httperr.NotFound("No attestation: the build failed, it has no main binary")
	}
	if err != nil {
		return fmt.Errorf("attestation of %s: %w", b.UUID, err)
	}
	return h.sendEnvelope(c, s)
}

// ReproAttestation is GET /job/:job/build/:build/reproducibility-attestation:
// a signed statement that other builds of the same input produced the same
// main binary, naming them.
func (h *Handler) ReproAttestation(c *fiber.Ctx) error {
	jsonErrors(c)
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	standing, err := h.standing(c.UserContext(), b)
	if err != nil {
		return fmt.Errorf("reproducibility attestation of %s: %w", b.UUID, err)
	}
	s, err := attest.ReproducibilityOf(b, standing)
	if errors.Is(err, attest.ErrNotAttested) {
		return httperr.NotFound("No reproducibility attestation: no other build of the same input produced the same main binary")
	}
	if err != nil {
		return fmt.Errorf("reproducibility attestation of %s: %w", b.UUID, err)
	}
	return h.sendEnvelope(c, s)
}

func (h *Handler) sendEnvelope(c *fiber.Ctx, statement any) error {
	body, err := h.Signer.SignJSON(statement)
	if err != nil {
		return err
	}
	setDownloadHeaders(c, attestationType, "")
	return c.Send(body)
}
