-- The vendor's RMA return locations by theater (the customer care guide
-- lists Latin America, U.S. and Canada, EMEA EU, EMEA non-EU and Asia
-- Pacific), and the ship-to countries each one serves.
INSERT IGNORE INTO return_locations
  (location_code, name, theater, region_code, postal_code, administrative_area, locality,
   address_lines, recipient) VALUES
  ('US-SVL', 'RMA Returns Depot Sunnyvale', 'NA', 'US', '94089', 'CA', 'Sunnyvale',
   '1133 Innovation Way\nDock 4', 'Asset Recovery / RMA Returns'),
  ('CA-YYZ', 'RMA Returns Depot Mississauga', 'NA', 'CA', 'L5T 2N7', 'ON', 'Mississauga',
   '6300 Kennedy Road\nUnit 5', 'Asset Recovery / RMA Returns'),
  ('US-MIA', 'Latin America RMA Hub Miami', 'LATAM', 'US', '33166', 'FL', 'Doral',
   '8200 NW 25th Street\nSuite 110', 'LATAM RMA Returns'),
  ('NL-AMS', 'EMEA EU RMA Returns Schiphol-Rijk', 'EMEA_EU', 'NL', '1119 PZ', 'Noord-Holland',
   'Schiphol-Rijk', 'Boeing Avenue 240', 'EMEA RMA Returns'),
  ('GB-LHR', 'EMEA non-EU RMA Returns Heathrow', 'EMEA_NON_EU', 'GB', 'TW6 2GA', 'Middlesex',
   'Hounslow', 'Unit 3, Heathrow Logistics Park\nBedfont Road', 'EMEA RMA Returns'),
  ('SG-SIN', 'Asia Pacific RMA Returns Singapore', 'APAC', 'SG', '498760', '', 'Singapore',
   '9 Changi South Street 3\n#04-01', 'APAC RMA Returns'),
  ('JP-NRT', 'Japan RMA Returns Narita', 'APAC', 'JP', '282-0004', 'Chiba', 'Narita',
   '1-1 Furugome\nNarita Cargo Building 7', 'APAC RMA Returns'),
  ('AU-SYD', 'Australia RMA Returns Sydney', 'APAC', 'AU', '2020', 'NSW', 'Mascot',
   '10 Ross Smith Avenue', 'APAC RMA Returns');

INSERT IGNORE INTO return_location_countries (region_code, location_code) VALUES
  ('US', 'US-SVL'), ('CA', 'CA-YYZ'),
  ('MX', 'US-MIA'), ('BR', 'US-MIA'), ('AR', 'US-MIA'), ('CL', 'US-MIA'), ('CO', 'US-MIA'),
  ('PE', 'US-MIA'), ('CR', 'US-MIA'), ('PA', 'US-MIA'),
  ('NL', 'NL-AMS'), ('DE', 'NL-AMS'), ('FR', 'NL-AMS'), ('BE', 'NL-AMS'), ('LU', 'NL-AMS'),
  ('IT', 'NL-AMS'), ('ES', 'NL-AMS'), ('PT', 'NL-AMS'), ('IE', 'NL-AMS'), ('AT', 'NL-AMS'),
  ('DK', 'NL-AMS'), ('SE', 'NL-AMS'), ('FI', 'NL-AMS'), ('PL', 'NL-AMS'), ('CZ', 'NL-AMS'),
  ('GB', 'GB-LHR'), ('CH', 'GB-LHR'), ('NO', 'GB-LHR'), ('AE', 'GB-LHR'), ('SA', 'GB-LHR'),
  ('IL', 'GB-LHR'), ('TR', 'GB-LHR'), ('ZA', 'GB-LHR'),
  ('SG', 'SG-SIN'), ('MY', 'SG-SIN'), ('TH', 'SG-SIN'), ('ID', 'SG-SIN'), ('PH', 'SG-SIN'),
  ('VN', 'SG-SIN'), ('IN', 'SG-SIN'), ('HK', 'SG-SIN'), ('KR', 'SG-SIN'), ('TW', 'SG-SIN'),
  ('JP', 'JP-NRT'),
  ('AU', 'AU-SYD'), ('NZ', 'AU-SYD');
