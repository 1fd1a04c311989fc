using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lingcheng.Talent.Entitlements.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class UsageFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageChanges",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    CardNumber = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    BenefitCode = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Period = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Used = table.Column<int>(type: "int", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageChanges", x => x.Sequence);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageChanges");
        }
    }
}
