-- Links of a record for one reason, from either end: the template labels of the ads a
-- new ad resembles are read this way for every batch of an import. Keep in step with
-- the other backend's 0007_link_indexes.sql.
DROP INDEX record_links_b;
CREATE INDEX record_links_b ON record_links (b_kind, b_id, reason, value);
