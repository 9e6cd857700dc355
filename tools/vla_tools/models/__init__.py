"""One module per test policy: each exports its folder under test/fixtures/policies/."""
