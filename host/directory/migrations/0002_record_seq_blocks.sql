-- Version 2: record sequence numbers are handed out in blocks of 64. Each `nextval` reserves
-- the 64 numbers up to the value it returns; a node hands them out from memory, so a call no
-- longer costs a round trip per id. Numbers stay unique and increasing for the life of the
-- database; those of a block a node did not use before it stopped are skipped.
ALTER SEQUENCE record_seqs INCREMENT BY 64;
