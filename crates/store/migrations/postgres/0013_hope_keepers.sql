-- Hope Bags: which partner volunteers keep which storage location. A volunteer manages
-- only the stock of the locations assigned here; hotline staff manage every location.
-- Unit values of items live in the catalogue (TOML), not here.
-- Keep in step with the other backend's 0013_hope_keepers.sql.
CREATE TABLE hope_location_keepers (
    location_id BIGINT NOT NULL REFERENCES hope_locations(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    assigned_by BIGINT REFERENCES users(id),
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (location_id, user_id)
);
CREATE INDEX hope_location_keepers_user ON hope_location_keepers (user_id);
