-- The read-only grants cohort-sync's DRE role needs for the default query, exactly as
-- docs/configuration.md ("pegase") lists them; the tests apply this file to their DRE. The DRE is
-- rebuilt from zero every night, so they belong in the script dremgr runs after each import.
GRANT USAGE ON SCHEMA schema_ins, schema_odf TO cohort_sync_dre;
GRANT SELECT ON schema_ins.inscription, schema_ins.apprenant, schema_odf.contexte, schema_odf.objet_maquette,
                schema_odf.espace, public.version TO cohort_sync_dre;
