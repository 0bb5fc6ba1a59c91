-- A small university's DRE on the night of {DUMP}: the academic year {Y}-{Y+1} (period PER-{Y}),
-- last year's period and next year's, already open with its offer and nobody enrolled in it.
-- The tests replace {Y}, {Y-1}, {Y+1} and {DUMP} (YYYYMMDD) before loading it. Ids are md5 of a
-- readable name, so that the tests can name the rows they change.
INSERT INTO public.version VALUES (32, 0, 1, NULL, '{DUMP}', 'prod', '{}');
INSERT INTO schema_ref.structure VALUES ('UFR-SCI', 'UFR Sciences'), ('UFR-DRT', 'UFR Droit');

INSERT INTO schema_odf.espace (id, type_espace, code, libelle_court, annee_universitaire, temoin_active) VALUES
    (md5('PER-{Y-1}')::uuid, 'P', 'PER-{Y-1}', 'Année {Y-1}-{Y}', '{Y-1}', false),
    (md5('PER-{Y}')::uuid, 'P', 'PER-{Y}', 'Année {Y}-{Y+1}', '{Y}', true),
    (md5('PER-{Y+1}')::uuid, 'P', 'PER-{Y+1}', 'Année {Y+1}-{Y+2}', '{Y+1}', true);

-- The same formation code once per period; L1INFO's label changes from last year to this year
-- (and its UTF-8 must survive: en dash, apostrophe, Œ).
INSERT INTO schema_odf.objet_maquette (id, id_espace, type_objet_maquette, code, libelle_court,
                                       code_type_objet_formation, code_structure_principale) VALUES
    (md5('L1INFO-{Y-1}')::uuid, md5('PER-{Y-1}')::uuid, 'F', 'L1INFO', 'Licence 1 Informatique', 'FORMATION', 'UFR-SCI'),
    (md5('L1INFO-{Y}')::uuid, md5('PER-{Y}')::uuid, 'F', 'L1INFO', 'L1 – Informatique d’Œuvres', 'FORMATION', 'UFR-SCI'),
    (md5('L1INFO-{Y+1}')::uuid, md5('PER-{Y+1}')::uuid, 'F', 'L1INFO', 'L1 – Informatique d’Œuvres', 'FORMATION', 'UFR-SCI'),
    (md5('L2DROIT-{Y}')::uuid, md5('PER-{Y}')::uuid, 'F', 'L2DROIT', 'Licence 2 Droit', 'FORMATION', 'UFR-DRT'),
    (md5('DUIA-{Y}')::uuid, md5('PER-{Y}')::uuid, 'F', 'DUIA', 'DU Intelligence artificielle', 'FORMATION', 'UFR-SCI'),
    (md5('M1BIO-{Y}')::uuid, md5('PER-{Y}')::uuid, 'F', 'M1BIO', 'Master 1 Biologie', 'FORMATION', 'UFR-SCI');

-- One offer context (a path) per object, as inscriptions point at paths.
INSERT INTO schema_odf.contexte (id, id_objet_maquette, chemin, temoin_valide,
                                 temoin_inscription_administrative, temoin_inscription_administrative_active)
SELECT md5('ctx-' || o.code || '-' || e.code)::uuid, o.id, ARRAY[o.id], true, true, true
  FROM schema_odf.objet_maquette o JOIN schema_odf.espace e ON e.id = o.id_espace;

INSERT INTO schema_ins.apprenant (id, code_apprenant, ine_maitre, nom_famille, prenom, mail) VALUES
    (md5('22600001')::uuid, '22600001', 'N/A', 'Arnaud', 'Alice', 'alice@univ-test.fr'),
    (md5('22600002')::uuid, '22600002', '1234567890A', 'Bernard', 'Bob', 'bob@univ-test.fr'),
    (md5('22600003')::uuid, '22600003', 'N/A', 'Chevalier', 'Chloé', 'chloe@univ-test.fr'),
    (md5('22600004')::uuid, '22600004', 'N/A', 'Durand', 'David', 'david@univ-test.fr'),
    (md5('22600005')::uuid, '22600005', 'N/A', 'Éluard', 'Ève', 'eve@univ-test.fr'),
    (md5('22600006')::uuid, '22600006', 'N/A', 'Faure', 'Fay', 'fay@univ-test.fr'),
    (md5('22600007')::uuid, '22600007', 'N/A', 'Garnier', 'Gaël', 'gael@univ-test.fr'),
    (md5('22600008')::uuid, '22600008', 'N/A', 'Hugo', 'Hugo', 'hugo@univ-test.fr');

-- ins(name, student, formation, period, status, principal)
INSERT INTO schema_ins.inscription (id, id_apprenant, id_odf_chemin, statut_inscription, statut_paiement,
                                    temoin_principale, code_regime, motif_annulation, date_creation)
SELECT md5(i.name)::uuid, md5(i.student)::uuid, md5('ctx-' || i.formation || '-PER-' || i.period)::uuid,
       i.status, 'PAYE', i.principal, 'FI', CASE WHEN i.status = 'ANNULEE' THEN 'ABANDON' END, now()
  FROM (VALUES
    -- Alice: L1INFO this year; last year's inscription does not count.
    ('alice-now', '22600001', 'L1INFO', '{Y}', 'VALIDEE', true),
    ('alice-last', '22600001', 'L1INFO', '{Y-1}', 'VALIDEE', true),
    -- Bob: two validated inscriptions, principal and not.
    ('bob-l2', '22600002', 'L2DROIT', '{Y}', 'VALIDEE', true),
    ('bob-du', '22600002', 'DUIA', '{Y}', 'VALIDEE', false),
    -- Chloé: cancelled, then enrolled again on the same path.
    ('chloe-cancelled', '22600003', 'M1BIO', '{Y}', 'ANNULEE', true),
    ('chloe-again', '22600003', 'M1BIO', '{Y}', 'VALIDEE', true),
    -- Inscriptions still being completed, and one cancelled: none counts.
    ('david-started', '22600004', 'L1INFO', '{Y}', 'DEBUTEE', true),
    ('eve-finished', '22600005', 'L2DROIT', '{Y}', 'TERMINEE', true),
    ('fay-cancelled', '22600006', 'L1INFO', '{Y}', 'ANNULEE', true),
    -- Hugo: L1INFO this year.
    ('hugo-now', '22600008', 'L1INFO', '{Y}', 'VALIDEE', true)
  ) AS i(name, student, formation, period, status, principal);
