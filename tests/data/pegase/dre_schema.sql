-- A DRE-shaped database (Pégase's "Données Répliquées en Établissement"), with the tables and
-- columns that PC-Scol's public code shows (../../../../shared/pegase/facts.md in the project's
-- notes; docs/configuration.md, "pegase"): enough for the default query and the documented grants.
-- Column types beyond uuid ids, uuid[] paths and booleans are not public: text types are guesses.
CREATE SCHEMA schema_ins;
CREATE SCHEMA schema_odf;
CREATE SCHEMA schema_ref;

CREATE TABLE public.version (
    majeure integer, mineure integer, patch integer, prerelease varchar(50),
    "timestamp" varchar(8), -- the dump's date, YYYYMMDD
    profile varchar(50), source_json text
);

CREATE TABLE schema_ref.structure (code varchar(20) PRIMARY KEY, libelle_court varchar(100));

CREATE TABLE schema_odf.espace (
    id uuid PRIMARY KEY, type_espace varchar(1), code varchar(20), libelle_court varchar(100),
    libelle_long varchar(250), annee_universitaire varchar(20), temoin_active boolean,
    date_debut_validite date, date_fin_validite date
);

CREATE TABLE schema_odf.objet_maquette (
    id uuid PRIMARY KEY, id_espace uuid REFERENCES schema_odf.espace, type_objet_maquette varchar(1),
    code varchar(50), libelle_court varchar(100), libelle_long varchar(250),
    code_type_objet_formation varchar(50), code_structure_principale varchar(20), version integer,
    temoin_tele_enseignement boolean
);

CREATE TABLE schema_odf.contexte (
    id uuid PRIMARY KEY, id_objet_maquette uuid REFERENCES schema_odf.objet_maquette, chemin uuid[],
    chemin_pere uuid[], temoin_valide boolean, temoin_inscription_administrative boolean,
    temoin_inscription_administrative_active boolean
);

CREATE TABLE schema_odf.enfant (id_objet_maquette uuid, id_objet_maquette_parent uuid);

CREATE TABLE schema_ins.apprenant (
    id uuid PRIMARY KEY, code_apprenant varchar(20), ine_maitre varchar(20), nom_famille varchar(100),
    nom_usuel varchar(100), prenom varchar(100), mail varchar(250), date_naissance date
);

CREATE TABLE schema_ins.inscription (
    id uuid PRIMARY KEY, id_apprenant uuid REFERENCES schema_ins.apprenant,
    id_odf_chemin uuid REFERENCES schema_odf.contexte, statut_inscription varchar(20),
    statut_paiement varchar(20), temoin_principale boolean, code_regime varchar(20),
    motif_annulation varchar(100), date_creation timestamp, date_modification timestamp
);
