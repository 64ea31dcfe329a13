-- Version 4: adoption that survives its adopter's failures.
--
-- `call_owners.adopted_from`: the node a call was taken over from, until the adopter has the
-- call live (then NULL). The claim of a dead node moves its calls here with this set, in one
-- transaction; each beat the adopter carries on every call still marked, so an adoption whose
-- commit answer was lost, or whose adopter failed midway, is finished by the adopter (or by
-- whoever adopts the adopter).
ALTER TABLE call_owners ADD COLUMN adopted_from BIGINT;
CREATE INDEX call_owners_adopting ON call_owners (node) WHERE adopted_from IS NOT NULL;
