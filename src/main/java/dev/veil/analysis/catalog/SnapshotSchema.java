package dev.veil.analysis.catalog;

import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the Calcite schema of a snapshot: one schema per catalog schema, one table per relation, type aliases. */
final class SnapshotSchema {
    private SnapshotSchema() {
    }

    static CalciteSchema build(CatalogSnapshot snapshot) {
        CalciteSchema root = CalciteSchema.createRootSchema(false, false);
        SchemaPlus plus = root.plus();
        snapshot.schemaMap().forEach((schemaName, relations) -> {
            Map<String, Table> tables = new LinkedHashMap<>();
            relations.forEach((name, r) -> tables.put(name, r.kind() == RelationInfo.Kind.VIEW
                    ? new ViewRelation(r) : new StoredRelation(r)));
            plus.add(schemaName, new AbstractSchema() {
                @Override
                protected Map<String, Table> getTableMap() {
                    return tables;
                }
            });
        });
        // Type names as they appear in casts ("::int4", "CAST(x AS SIGNED)"); Calcite's own names still win.
        CatalogTypes.NAMES.keySet().stream().filter(n -> !n.contains(" ")).forEach(name -> {
            plus.add(name, factory -> CatalogTypes.toRelType(factory, name, true));
            SchemaPlus pgCatalog = plus.getSubSchema("pg_catalog");
            if (pgCatalog != null) {
                // "x::pg_catalog.regclass", as psql writes it.
                pgCatalog.add(name, factory -> CatalogTypes.toRelType(factory, name, true));
            }
        });
        return root;
    }

    static RelDataType rowType(RelationInfo r, RelDataTypeFactory factory) {
        RelDataTypeFactory.Builder b = factory.builder();
        r.columns().forEach(c -> b.add(c.name(), CatalogTypes.toRelType(factory, c.type(), c.nullable())));
        return b.build();
    }

    static class StoredRelation extends AbstractTable {
        final RelationInfo info;

        StoredRelation(RelationInfo info) {
            this.info = info;
        }

        @Override
        public RelDataType getRowType(RelDataTypeFactory typeFactory) {
            return rowType(info, typeFactory);
        }
    }

    /**
     * A view expands to its defining query (parsed and validated with the analysing statement's own settings
     * through the converter's view expander), so lineage reaches the base columns. A column whose type differs from
     * the declared one (PostgreSQL declares every view column nullable) is cast, and its origin is then marked
     * derived: Calcite checks that conversion preserves the validated types exactly.
     */
    static final class ViewRelation extends StoredRelation implements TranslatableTable {
        ViewRelation(RelationInfo info) {
            super(info);
        }

        @Override
        public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable table) {
            RelDataType declared = table.getRowType();
            RelRoot root = context.expandView(declared, info.viewSql(), List.of(info.schema()),
                    List.of(info.schema(), info.name()));
            RelNode rel = root.project();
            if (rel.getRowType().getFieldCount() != declared.getFieldCount()) {
                throw new IllegalStateException("view " + info.schema() + "." + info.name() + " defines "
                        + rel.getRowType().getFieldCount() + " columns, the catalog lists " + declared.getFieldCount());
            }
            RexBuilder rex = context.getCluster().getRexBuilder();
            List<RexNode> exprs = new ArrayList<>();
            List<RelDataTypeField> actual = rel.getRowType().getFieldList();
            for (int i = 0; i < actual.size(); i++) {
                RelDataType want = declared.getFieldList().get(i).getType();
                RexNode ref = rex.makeInputRef(rel, i);
                exprs.add(want.equals(actual.get(i).getType()) ? ref : rex.makeCast(want, ref, true, false));
            }
            return LogicalProject.create(rel, List.of(), exprs, declared.getFieldNames(), Set.of());
        }
    }
}
