"""`shequ import-places <compound_id> <file>`: buildings, units and households from .xlsx or .csv."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.core.errors import DomainError
from shequ.directory.importer import places_import
from shequ.directory.models import Place


class Command(BaseCommand):
    help = (
        "从 Excel(.xlsx) 或 CSV 导入楼栋、单元和住户到一个小区；任何一行不合格则全部不导入。"
        " / Import buildings, units and households into a compound; nothing is written if a row is rejected."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("compound_id", type=int)
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        compound = Place.objects.filter(pk=options["compound_id"]).first()
        if compound is None:
            raise CommandError(
                f"没有编号为 {options['compound_id']} 的地点 / no place {options['compound_id']}"
            )
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 / file not found: {path}")
        try:
            report = places_import(compound=compound, file=path.read_bytes(), filename=path.name)
        except DomainError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}")
        if not report.ok:
            for row in report.rejected:
                self.stderr.write(f"第{row.row}行 / row {row.row}: {row.reason_zh} / {row.reason_en}")
            raise CommandError(
                f"{len(report.rejected)} 行未通过检查，未导入任何数据。 / {len(report.rejected)} row(s) rejected; "
                "nothing was imported."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 / imported into {compound.full_name()}: {report.buildings_created} buildings, "
                f"{report.units_created} units, {report.households_created} households ({report.rows} rows)."
            )
        )
